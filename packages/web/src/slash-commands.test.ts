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

  it('parses the room moderation commands for the room they are typed in', () => {
    expect(parseInput('/mute bob')).toEqual({ cmd: 'mute', name: 'bob', reason: undefined });
    expect(parseInput('/mute bob  stop shouting ')).toEqual({ cmd: 'mute', name: 'bob', reason: 'stop shouting' });
    expect(parseInput('/unmute bob')).toEqual({ cmd: 'unmute', name: 'bob' });
    expect(parseInput('/invite otto')).toEqual({ cmd: 'invite', name: 'otto' });
    expect(parseInput('/mode')).toEqual({ cmd: 'mode', changes: {} });
    expect(parseInput('/mode +i -m')).toEqual({ cmd: 'mode', changes: { invite_only: true, moderated: false } });
    expect(parseInput('/MODE +k open sesame')).toEqual({ cmd: 'invalid', message: 'Usage: /mode [+i|-i] [+m|-m] [+t|-t] [+k password|-k]' });
    expect(parseInput('/mode +k sesame -t')).toEqual({ cmd: 'mode', changes: { password: 'sesame', topic_lock: false } });
  });

  it('gives the usage of a room moderation command typed without its name', () => {
    expect(parseInput('/mute')).toEqual({ cmd: 'invalid', message: 'Usage: /mute name [reason]' });
    expect(parseInput('/unmute')).toEqual({ cmd: 'invalid', message: 'Usage: /unmute name' });
    expect(parseInput('/invite a b')).toEqual({ cmd: 'invalid', message: 'Usage: /invite name' });
    expect(parseInput('/mode +x')).toEqual({ cmd: 'invalid', message: 'Usage: /mode [+i|-i] [+m|-m] [+t|-t] [+k password|-k]' });
  });
});
