import { describe, expect, it } from 'vitest';
import { replyLines } from './reply-lines.ts';

describe('replyLines', () => {
  it('formats user info readably, with addresses only when the server sent them', () => {
    const info = {
      name: 'bob',
      kind: 'account' as const,
      role: 'user' as const,
      online: true,
      created: Date.UTC(2026, 0, 2),
      sessions: [{ id: 7, since: Date.UTC(2026, 10, 30, 9), transport: 'tls', ip: '127.0.0.1' }],
      rooms: [
        { name: '#general', role: 'member' as const },
        { name: '#dev', role: 'moderator' as const },
      ],
    };
    expect(replyLines('userinfo', info)).toEqual([
      'bob: account, role user, online, account since 2026-01-02T00:00:00.000Z',
      '  connection 7 over tls since 2026-11-30T09:00:00.000Z from 127.0.0.1',
      '  rooms: #general, #dev (moderator)',
    ]);
  });

  it('says what a ban took along and what it left alone', () => {
    const ban = { scope: 'server', kind: 'account' as const, target: 'bob', reason: '', by: 'alice', at: 0, expires: null };
    expect(replyLines('ban', { ...ban, disconnected: 1, addresses: [], skipped: [] })).toEqual(['banned account bob from the server, permanent (1 disconnected)']);
    expect(replyLines('ban', { ...ban, disconnected: 2, addresses: [{ ...ban, kind: 'ip', target: '10.0.0.7' }], skipped: ['127.0.0.1'] })).toEqual([
      'banned account bob and address 10.0.0.7 from the server, permanent (2 disconnected)',
      '  not banned: 127.0.0.1 (exempt addresses, shared by many)',
    ]);
  });

  it('lists peers linked, reached through others or not at all, and the addresses still dialed, IPv6 in brackets', () => {
    const peer = { name: 'b.test', id: 'ps1b', linked: true, lastSeen: Date.UTC(2026, 11, 1), addresses: ['127.0.0.1:7001'], denied: false };
    expect(replyLines('peers', { id: 'ps1a', name: 'a.test', peers: [peer, { ...peer, name: 'c.test', id: 'ps1c', linked: false, hops: 2, addresses: [], denied: true }], dialing: [{ host: '::1', port: 7003 }] })).toEqual([
      'this server: a.test ps1a',
      'b.test ps1b: linked, last seen 2026-12-01T00:00:00.000Z at 127.0.0.1:7001',
      'c.test ps1c: not linked (reached through others, 2 hops), last seen 2026-12-01T00:00:00.000Z, denied',
      'dialing [::1]:7003, no link yet',
    ]);
    expect(replyLines('peers', { id: 'ps1a', name: 'a.test', peers: [], dialing: [] })).toEqual(['this server: a.test ps1a', 'no other server known yet']);
  });
});
