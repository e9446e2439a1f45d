import { describe, expect, it } from 'vitest';
import { describeModes, parseModeFlags } from './room-modes.ts';

describe('parseModeFlags', () => {
  it('reads nothing as "only show the modes"', () => {
    expect(parseModeFlags([])).toEqual({});
  });

  it('turns each letter on or off, as the server text syntax does', () => {
    expect(parseModeFlags(['+i'])).toEqual({ invite_only: true });
    expect(parseModeFlags(['-i', '+m', '-t'])).toEqual({ invite_only: false, moderated: true, topic_lock: false });
    expect(parseModeFlags(['+imt'])).toEqual({ invite_only: true, moderated: true, topic_lock: true });
    expect(parseModeFlags(['+i-t'])).toEqual({ invite_only: true, topic_lock: false });
  });

  it('takes the password from the word after the flags that set it, and clears it with -k', () => {
    expect(parseModeFlags(['+k', 'sesame'])).toEqual({ password: 'sesame' });
    expect(parseModeFlags(['+ik', 'sesame', '+m'])).toEqual({ invite_only: true, password: 'sesame', moderated: true });
    expect(parseModeFlags(['-k'])).toEqual({ password: '' });
  });

  it('refuses unknown letters, bare signs, words that are not flags and +k without a password', () => {
    for (const words of [['+x'], ['+'], ['i'], ['#dev', '+i'], ['+k'], ['+i', 'extra']]) expect(parseModeFlags(words)).toBeUndefined();
  });
});

describe('describeModes', () => {
  it('names the modes that are on, or says none', () => {
    expect(describeModes({ inviteOnly: false, password: false, moderated: false, topicLock: false })).toBe('none');
    expect(describeModes({ inviteOnly: true, password: true, moderated: false, topicLock: true })).toBe('invite-only, password, topic locked');
  });
});
