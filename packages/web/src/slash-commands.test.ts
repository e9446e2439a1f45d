import { describe, expect, it } from 'vitest';
import { parseInput } from './slash-commands.ts';

describe('parseInput', () => {
  it('treats plain text, and text starting with //, as a message', () => {
    expect(parseInput('hello /join')).toEqual({ cmd: 'say', text: 'hello /join' });
    expect(parseInput('//shrug')).toEqual({ cmd: 'say', text: '/shrug' });
  });

  it('parses commands, adding the # a room name needs', () => {
    expect(parseInput('/join #dev')).toEqual({ cmd: 'join', room: '#dev' });
    expect(parseInput('/JOIN dev')).toEqual({ cmd: 'join', room: '#dev' });
    expect(parseInput('/leave')).toEqual({ cmd: 'leave', room: undefined });
    expect(parseInput('/part ops')).toEqual({ cmd: 'leave', room: '#ops' });
    expect(parseInput('/nick erin')).toEqual({ cmd: 'nick', name: 'erin' });
    expect(parseInput('/topic')).toEqual({ cmd: 'topic', topic: undefined });
    expect(parseInput('/topic release day ')).toEqual({ cmd: 'topic', topic: 'release day' });
    expect(parseInput('/away')).toEqual({ cmd: 'away' });
    expect(parseInput('/help')).toEqual({ cmd: 'help' });
    expect(parseInput('/oper s3cret')).toEqual({ cmd: 'oper', password: 's3cret' });
    expect(parseInput('/oper')).toEqual({ cmd: 'invalid', message: 'Usage: /oper password' });
  });

  it('keeps the text of /msg as typed, line breaks included', () => {
    expect(parseInput('/msg bob  hi there\nsecond line')).toEqual({ cmd: 'msg', to: 'bob', text: 'hi there\nsecond line' });
  });

  it('explains what is missing or unknown', () => {
    expect(parseInput('/msg bob')).toEqual({ cmd: 'invalid', message: 'Usage: /msg name text' });
    expect(parseInput('/join')).toEqual({ cmd: 'invalid', message: 'Usage: /join #room' });
    expect(parseInput('/nick two words')).toEqual({ cmd: 'invalid', message: 'Usage: /nick name' });
    expect(parseInput('/frobnicate')).toEqual({ cmd: 'invalid', message: 'Unknown command /frobnicate. Type /help for the list.' });
  });
});
