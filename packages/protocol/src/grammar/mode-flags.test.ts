import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParleyError } from '../errors.ts';
import { formatModeFlags, parseModeFlags, type ModeChanges } from './mode-flags.ts';

const refused = (words: string[]) => {
  try {
    parseModeFlags(words);
  } catch (error) {
    return error instanceof ParleyError ? error.errorName : 'not coded';
  }
  return 'accepted';
};

describe('parseModeFlags', () => {
  it('reads single, combined and mixed groups', () => {
    expect(parseModeFlags([])).toEqual({});
    expect(parseModeFlags(['+i'])).toEqual({ invite_only: true });
    expect(parseModeFlags(['-i', '+m', '-t'])).toEqual({ invite_only: false, moderated: true, topic_lock: false });
    expect(parseModeFlags(['+imt'])).toEqual({ invite_only: true, moderated: true, topic_lock: true });
    expect(parseModeFlags(['+i-t'])).toEqual({ invite_only: true, topic_lock: false });
  });

  it('takes the password after +k, in order, and -k removes it', () => {
    expect(parseModeFlags(['+k', 'sesame'])).toEqual({ password: 'sesame' });
    expect(parseModeFlags(['+ik', 'sesame', '+m'])).toEqual({ invite_only: true, password: 'sesame', moderated: true });
    expect(parseModeFlags(['-k'])).toEqual({ password: '' });
    // IRC clients send the old key with -k.
    expect(parseModeFlags(['-k', 'old', '+i'])).toEqual({ password: '', invite_only: true });
  });

  it('regression: +k without a password is refused instead of removing the password', () => {
    expect(refused(['+k'])).toBe('BAD_ARGUMENTS');
    expect(refused(['+ik'])).toBe('BAD_ARGUMENTS');
    expect(refused(['+k', ''])).toBe('BAD_ARGUMENTS');
  });

  it('regression: flags without a sign ("imt") are refused instead of clearing modes', () => {
    expect(refused(['imt'])).toBe('BAD_ARGUMENTS');
    expect(refused(['+i', 'extra'])).toBe('BAD_ARGUMENTS');
  });

  it('refuses unknown letters and signs without letters', () => {
    for (const words of [['+x'], ['+'], ['-'], ['+-'], ['#dev', '+i'], ['+o', 'bob']]) expect(refused(words)).toBe('BAD_ARGUMENTS');
  });

  it('property: any words either parse or fail with a coded error, never anything else', () => {
    const word = fc.oneof(fc.string({ maxLength: 6 }), fc.stringMatching(/^[+-][imtkx+-]{0,4}$/));
    fc.assert(fc.property(fc.array(word, { maxLength: 6 }), (words) => {
        expect(refused(words)).not.toBe('not coded');
      }));
  });

  it('property: formatting then parsing gives the same changes', () => {
    const changes = fc.record(
      {
        invite_only: fc.boolean(),
        moderated: fc.boolean(),
        topic_lock: fc.boolean(),
        password: fc.oneof(fc.constant(''), fc.stringMatching(/^\S{1,20}$/)),
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(changes, (c: ModeChanges) => {
        expect(parseModeFlags(formatModeFlags(c))).toEqual(c);
      }));
  });
});
