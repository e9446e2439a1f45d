import { describe, expect, it } from 'vitest';
import { parseInput } from './slash-commands.ts';

describe('parseInput', () => {
  it('treats text as a message, and // as an escaped slash unless a command follows', () => {
    expect(parseInput('hello /join', undefined)).toEqual({ kind: 'say', text: 'hello /join' });
    expect(parseInput('//shrug', undefined)).toEqual({ kind: 'say', text: '/shrug' });
    expect(parseInput('//create-channel lobby', undefined)).toEqual({ kind: 'command', line: { verb: 'create', args: { room: 'lobby' } } });
  });

  it('reads server commands with the shared grammar, with the current room', () => {
    expect(parseInput('/join #dev', undefined)).toEqual({ kind: 'command', line: { verb: 'join', args: { room: '#dev' } } });
    expect(parseInput('/mute bob  stop shouting ', '#den')).toEqual({ kind: 'command', line: { verb: 'mute', args: { room: '#den', name: 'bob', reason: 'stop shouting' } } });
    expect(parseInput('/mode +k sesame -t', '#den')).toEqual({ kind: 'command', line: { verb: 'mode', args: { room: '#den', password: 'sesame', topic_lock: false } } });
    expect(parseInput('/changeuname zed', '#den')).toEqual({ kind: 'command', line: { verb: 'nick', args: { name: 'zed' } } });
    expect(parseInput('/left', '#den')).toEqual({ kind: 'command', line: { verb: 'part', args: { room: '#den' } } });
    expect(parseInput('/msg bob  hi there\nsecond line', undefined)).toEqual({ kind: 'command', line: { verb: 'send', args: { to: ['bob'], text: 'hi there\nsecond line' } } });
  });

  it('keeps /query and /help for itself', () => {
    expect(parseInput('/query bob', undefined)).toEqual({ kind: 'query', to: 'bob' });
    expect(parseInput('/help', undefined)).toEqual({ kind: 'help' });
  });

  it('shows the usage or the unknown word for what cannot be sent', () => {
    expect(parseInput('/join', undefined)).toEqual({ kind: 'invalid', message: 'Usage: /join <#room> [password]' });
    expect(parseInput('/mode +k', '#den').kind).toBe('invalid');
    expect(parseInput('/mode imt', '#den').kind).toBe('invalid');
    expect(parseInput('/frobnicate', undefined)).toEqual({ kind: 'invalid', message: 'Unknown command /frobnicate. Type /help for the list.' });
  });
});
