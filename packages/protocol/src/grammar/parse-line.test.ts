import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_SCHEMAS, VERBS } from '../commands.ts';
import { ParleyError } from '../errors.ts';
import { DIALECT_ALIASES } from './dialects.ts';
import { PARLEY_LINES } from './parley-lines.ts';
import { classifyInput, parseCommandLine } from './parse-line.ts';

const inRoom = { currentRoom: '#dev' };

describe('parseCommandLine', () => {
  it('reads the same line with or without a prefix, in any case', () => {
    for (const line of ['JOIN #dev', '/join #dev', '//join #dev', '  join   #dev  ']) expect(parseCommandLine(line)).toEqual({ verb: 'join', args: { room: '#dev' } });
  });

  it('keeps the spacing of free text', () => {
    expect(parseCommandLine('SAY #dev  hello   world ')).toEqual({ verb: 'send', args: { to: ['#dev'], text: 'hello   world' } });
    expect(parseCommandLine('SEND bob,carol hi')).toEqual({ verb: 'send', args: { to: ['bob', 'carol'], text: 'hi' } });
    expect(parseCommandLine('LOGIN alice pass word')).toEqual({ verb: 'login', args: { name: 'alice', password: 'pass word' } });
  });

  it('uses the current room for room commands that name none', () => {
    expect(parseCommandLine('PART', inRoom)).toEqual({ verb: 'part', args: { room: '#dev' } });
    expect(parseCommandLine('TOPIC release day', inRoom)).toEqual({ verb: 'topic', args: { room: '#dev', topic: 'release day' } });
    expect(parseCommandLine('TOPIC #ops', inRoom)).toEqual({ verb: 'topic', args: { room: '#ops' } });
    expect(parseCommandLine('MUTE bob too loud', inRoom)).toEqual({ verb: 'mute', args: { room: '#dev', name: 'bob', reason: 'too loud' } });
    expect(parseCommandLine('MODE +i -m', inRoom)).toEqual({ verb: 'mode', args: { room: '#dev', invite_only: true, moderated: false } });
    expect(parseCommandLine('HISTORY 5', inRoom)).toEqual({ verb: 'history', args: { with: '#dev', limit: 5 } });
    expect(parseCommandLine('HISTORY bob 5', inRoom)).toEqual({ verb: 'history', args: { with: 'bob', limit: 5 } });
    // A client with a DM open pages that conversation; a conversation id is a target like any other.
    expect(parseCommandLine('HISTORY 5', { currentTarget: 'dm:a1:g12' })).toEqual({ verb: 'history', args: { with: 'dm:a1:g12', limit: 5 } });
    expect(parseCommandLine('HISTORY dm:a1:a2')).toEqual({ verb: 'history', args: { with: 'dm:a1:a2' } });
    expect(parseCommandLine('CONVERSATIONS')).toEqual({ verb: 'conversations', args: {} });
    expect(parseCommandLine('CONVERSATIONS 20')).toEqual({ verb: 'conversations', args: { limit: 20 } });
    expect(() => parseCommandLine('PART')).toThrow(/No current room/);
  });

  it('scopes KICK and BAN to a room only when one is named; no room means the server', () => {
    expect(parseCommandLine('KICK bob spam', inRoom)).toEqual({ verb: 'kick', args: { name: 'bob', reason: 'spam' } });
    expect(parseCommandLine('KICK #dev bob')).toEqual({ verb: 'kick', args: { room: '#dev', name: 'bob' } });
    expect(parseCommandLine('KILL bob bye')).toEqual({ verb: 'kick', args: { name: 'bob', reason: 'bye' } });
    expect(parseCommandLine('BAN mallory 7d spamming again')).toEqual({ verb: 'ban', args: { target: 'mallory', addresses: true, duration: '7d', reason: 'spamming again' } });
    expect(parseCommandLine('BAN #dev 203.0.113.0/24 3600')).toEqual({ verb: 'ban', args: { room: '#dev', target: '203.0.113.0/24', addresses: true, duration: '3600' } });
    expect(parseCommandLine('BAN name:mallory')).toEqual({ verb: 'ban', args: { target: 'mallory' } });
    expect(parseCommandLine('LISTBANS', inRoom)).toEqual({ verb: 'listbans', args: {} });
  });

  it('reads the federation words, IRC LINKS and SQUIT too, and leaves the port range to the schema', () => {
    expect(parseCommandLine('PEERS')).toEqual({ verb: 'peers', args: {} });
    expect(parseCommandLine('/links')).toEqual({ verb: 'peers', args: {} });
    expect(parseCommandLine('CONNECT b.example 7001')).toEqual({ verb: 'connect', args: { host: 'b.example', port: 7001 } });
    expect(parseCommandLine('/connect [::1] 7001')).toEqual({ verb: 'connect', args: { host: '::1', port: 7001 } });
    expect(parseCommandLine('CONNECT b.example 70000')).toEqual({ verb: 'connect', args: { host: 'b.example', port: 70000 } });
    expect(COMMAND_SCHEMAS.connect.safeParse({ host: 'b.example', port: 70000 }).success).toBe(false);
    expect(COMMAND_SCHEMAS.connect.safeParse({ host: 'b.example', port: 'x' }).success).toBe(false);
    expect(() => parseCommandLine('CONNECT b.example')).toThrow(/Usage: CONNECT <host> <port>$/);
    expect(() => parseCommandLine('/connect')).toThrow(/Usage: \/connect <host> <port>$/);
    expect(parseCommandLine('DISCONNECT b.example')).toEqual({ verb: 'disconnect', args: { server: 'b.example' } });
    expect(parseCommandLine('SQUIT b.example')).toEqual({ verb: 'disconnect', args: { server: 'b.example' } });
    expect(() => parseCommandLine('DISCONNECT')).toThrow(/Usage: DISCONNECT <server name\|id>$/);
  });

  it('refuses what is missing with the usage, and unknown words with UNKNOWN_COMMAND', () => {
    expect(() => parseCommandLine('KICK')).toThrow(/Usage: KICK/);
    expect(() => parseCommandLine('JOIN')).toThrow(/Usage: JOIN/);
    expect(() => parseCommandLine('SEND')).toThrow(/Usage: SEND/);
    expect(() => parseCommandLine('frobnicate now')).toThrow(/Unknown command "frobnicate"/);
    expect(() => parseCommandLine('')).toThrow(/Empty line/);
  });

  it('regression: MODE +k with no password and MODE imt are refused', () => {
    expect(() => parseCommandLine('MODE #r +k')).toThrow(ParleyError);
    expect(() => parseCommandLine('MODE #r imt')).toThrow(/start with \+ or -/);
  });

  it('speaks the dialects of xsukax Chatroom and Asyncio-TCP', () => {
    expect(parseCommandLine('/changeuname zed')).toEqual({ verb: 'nick', args: { name: 'zed' } });
    expect(parseCommandLine('/left', inRoom)).toEqual({ verb: 'part', args: { room: '#dev' } });
    expect(parseCommandLine('/admin s3cret')).toEqual({ verb: 'oper', args: { password: 's3cret' } });
    expect(parseCommandLine('/createroom lobby')).toEqual({ verb: 'create', args: { room: 'lobby' } });
    expect(parseCommandLine('//create-channel lobby')).toEqual({ verb: 'create', args: { room: 'lobby' } });
    expect(parseCommandLine('//join-channel lobby')).toEqual({ verb: 'join', args: { room: 'lobby' } });
    expect(parseCommandLine('//leave-channel', inRoom)).toEqual({ verb: 'part', args: { room: '#dev' } });
    expect(parseCommandLine('//user-count')).toEqual({ verb: 'list', args: {} });
    expect(parseCommandLine('//banned-users')).toEqual({ verb: 'listbans', args: {} });
    expect(parseCommandLine('//disable-command create-channel')).toEqual({ verb: 'disable', args: { command: 'create' } });
    expect(parseCommandLine('//enable-command SEND')).toEqual({ verb: 'enable', args: { command: 'send' } });
  });

  it('every alias points at a Parley form, and every form runs a protocol verb', () => {
    for (const { of } of Object.values(DIALECT_ALIASES)) expect(PARLEY_LINES[of]).toBeDefined();
    for (const form of Object.values(PARLEY_LINES)) expect(VERBS).toContain(form.verb);
  });

  it('property: no input throws anything but a coded error, and what parses names a verb', () => {
    const words = Object.keys(PARLEY_LINES).concat(Object.keys(DIALECT_ALIASES));
    const line = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.tuple(fc.constantFrom(...words), fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('#r', '+k', '-i', '7d', 'bob')), { maxLength: 5 })).map(
        ([word, rest]) => `/${word.toLowerCase()} ${rest.join(' ')}`,
      ),
    );
    fc.assert(
      fc.property(line, fc.option(fc.constant('#cur'), { nil: undefined }), (text, currentRoom) => {
        try {
          const { verb, args } = parseCommandLine(text, { currentRoom });
          expect(VERBS).toContain(verb);
          expect(typeof args).toBe('object');
          // Whatever the schema then says, it says it with a result, never a throw.
          COMMAND_SCHEMAS[verb].safeParse(args);
        } catch (error) {
          expect(error).toBeInstanceOf(ParleyError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('property: a send line round-trips its targets and text', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    const text = fc.string({ minLength: 1, maxLength: 30 }).filter((t) => t.trim() !== '' && t === t.trim());
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 3 }), text, (to, body) => {
        expect(parseCommandLine(`SEND ${to.join(',')} ${body}`)).toEqual({ verb: 'send', args: { to, text: body } });
      }),
    );
  });
});

describe('classifyInput', () => {
  it('tells commands from text, and // escapes a message unless a command word follows', () => {
    expect(classifyInput('hello /join')).toEqual({ kind: 'text', text: 'hello /join' });
    expect(classifyInput('/join #dev')).toEqual({ kind: 'command' });
    expect(classifyInput('//shrug')).toEqual({ kind: 'text', text: '/shrug' });
    expect(classifyInput('//help')).toEqual({ kind: 'command' });
    expect(classifyInput('//create-channel x')).toEqual({ kind: 'command' });
  });
});

describe('CLIENT_HELP', () => {
  it('lists only words the grammar has', async () => {
    const { CLIENT_HELP } = await import('./parley-lines.ts');
    for (const word of [...CLIENT_HELP.chat, ...CLIENT_HELP.operator]) expect(PARLEY_LINES[word], word).toBeDefined();
  });
});
