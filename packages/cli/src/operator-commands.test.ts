import { describe, expect, it } from 'vitest';
import { formatOperatorReply, parseOperatorCommand, UsageError } from './operator-commands.ts';
import { SLASH_COMMANDS } from './chat-commands.ts';
import { helpLines, OPERATOR_HEADING } from './tui/help-lines.ts';

describe('operator slash commands (issue 7)', () => {
  it('parses kick (a room: the current one unless named), kill (the server), ban and unban', () => {
    expect(parseOperatorCommand('kick', ' bob', '#dev')).toEqual({ verb: 'kick', args: { room: '#dev', name: 'bob' } });
    expect(() => parseOperatorCommand('kick', ' bob', undefined)).toThrow('/kill name');
    expect(parseOperatorCommand('kill', ' bob  spam ', '#dev')).toEqual({ verb: 'kick', args: { name: 'bob', reason: 'spam' } });
    expect(parseOperatorCommand('kick', ' #dev bob  off topic ', undefined)).toEqual({ verb: 'kick', args: { name: 'bob', room: '#dev', reason: 'off topic' } });
    expect(parseOperatorCommand('ban', ' mallory 7d spamming again', undefined)).toEqual({ verb: 'ban', args: { target: 'mallory', duration: '7d', reason: 'spamming again' } });
    expect(parseOperatorCommand('ban', ' mallory spamming', undefined)).toEqual({ verb: 'ban', args: { target: 'mallory', reason: 'spamming' } });
    expect(parseOperatorCommand('ban', ' #dev 203.0.113.0/24 3600', undefined)).toEqual({ verb: 'ban', args: { target: '203.0.113.0/24', room: '#dev', duration: '3600' } });
    expect(parseOperatorCommand('unban', ' #dev eve', undefined)).toEqual({ verb: 'unban', args: { target: 'eve', room: '#dev' } });
    expect(parseOperatorCommand('listbans', '', '#dev')).toEqual({ verb: 'listbans', args: {} });
  });

  it('defaults room commands to the current room', () => {
    expect(parseOperatorCommand('mute', ' bob too loud', '#dev')).toEqual({ verb: 'mute', args: { room: '#dev', name: 'bob', reason: 'too loud' } });
    expect(parseOperatorCommand('unmute', ' #ops bob', '#dev')).toEqual({ verb: 'unmute', args: { room: '#ops', name: 'bob' } });
    expect(parseOperatorCommand('invite', ' carol', '#dev')).toEqual({ verb: 'invite', args: { room: '#dev', name: 'carol' } });
    expect(() => parseOperatorCommand('invite', ' carol', undefined)).toThrow(UsageError);
  });

  it('parses mode flags, combined and with a password', () => {
    expect(parseOperatorCommand('mode', '', '#dev')).toEqual({ verb: 'mode', args: { room: '#dev' } });
    expect(parseOperatorCommand('mode', ' #dev +imt -k', undefined)).toEqual({ verb: 'mode', args: { room: '#dev', invite_only: true, moderated: true, topic_lock: true, password: '' } });
    expect(parseOperatorCommand('mode', ' -i +k sesame', '#dev')).toEqual({ verb: 'mode', args: { room: '#dev', invite_only: false, password: 'sesame' } });
    expect(() => parseOperatorCommand('mode', ' +x', '#dev')).toThrow(/unknown mode letter x/);
    expect(() => parseOperatorCommand('mode', ' +k', '#dev')).toThrow(UsageError);
  });

  it('parses oper, userinfo (whois) and broadcast; refuses missing arguments with the usage', () => {
    expect(parseOperatorCommand('oper', ' s3cret', undefined)).toEqual({ verb: 'oper', args: { password: 's3cret' } });
    expect(parseOperatorCommand('whois', ' bob', undefined)).toEqual({ verb: 'userinfo', args: { name: 'bob' } });
    expect(parseOperatorCommand('broadcast', ' Restarting  in 5 minutes ', undefined)).toEqual({ verb: 'broadcast', args: { text: 'Restarting  in 5 minutes' } });
    expect(() => parseOperatorCommand('kick', '', '#dev')).toThrow('usage: /kick [#room] name [reason]');
    expect(() => parseOperatorCommand('userinfo', ' ', undefined)).toThrow('usage: /userinfo name');
  });

  it('formats user info readably, with addresses only when the server sent them', () => {
    const request = parseOperatorCommand('userinfo', 'bob', undefined);
    const info = { name: 'bob', kind: 'account' as const, role: 'user' as const, online: true, created: Date.UTC(2026, 0, 2), sessions: [{ id: 7, since: Date.UTC(2026, 10, 30, 9), transport: 'tls', ip: '127.0.0.1' }], rooms: [{ name: '#general', role: 'member' as const }, { name: '#dev', role: 'moderator' as const }] };
    expect(formatOperatorReply(request, info)).toEqual([
      'bob: account, role user, online, account since 2026-01-02T00:00:00.000Z',
      '  connection 7 over tls since 2026-11-30T09:00:00.000Z from 127.0.0.1',
      '  rooms: #general, #dev (moderator)',
    ]);
    expect(formatOperatorReply(parseOperatorCommand('ban', 'bob', undefined), { scope: 'server', kind: 'account', target: 'bob', reason: '', by: 'alice', at: 0, expires: null, disconnected: 1 })).toEqual(['banned account bob from the server, permanent (1 disconnected)']);
  });

  it('are slash commands of --plain, marked as operator commands, and listed apart in the TUI help', () => {
    for (const name of ['kick', 'kill', 'ban', 'unban', 'userinfo', 'whois', 'mute', 'unmute', 'broadcast', 'oper', 'mode', 'invite']) expect(SLASH_COMMANDS[name]?.operator).toBe(true);
    expect(SLASH_COMMANDS.join?.operator).toBeUndefined();
    const small = helpLines(76, 18);
    expect(small.length).toBeLessThanOrEqual(18);
    expect(small).toContain(OPERATOR_HEADING);
    expect(small.join(' ')).toContain('/kick [#room] name [reason]');
    expect(helpLines(120, 60)).toContain(SLASH_COMMANDS.kick!.usage);
  });
});
