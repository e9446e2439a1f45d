import { describe, expect, it } from 'vitest';
import { CHAT_USAGE, parseChatOptions } from './chat-options.ts';

describe('parley chat options', () => {
  it('picks guest, login or register credentials', () => {
    expect(parseChatOptions(['tls://h:1'], {})).toMatchObject({ urls: ['tls://h:1'], plain: false, credentials: { kind: 'guest' }, room: '#general' });
    expect(parseChatOptions(['tls://h:1', '--name', 'al', '--plain'], {})).toMatchObject({ plain: true, credentials: { kind: 'guest', name: 'al' } });
    expect(parseChatOptions(['tls://h:1', '--name', 'al'], { PARLEY_PASSWORD: 'pw' })).toMatchObject({ credentials: { kind: 'login', name: 'al', password: 'pw' } });
    expect(parseChatOptions(['tls://h:1', '--name', 'al', '--password', 'x', '--register', '--accept-new', '--known-hosts', 'kh', '--room', '#dev'], {})).toEqual({
      urls: ['tls://h:1'],
      plain: false,
      credentials: { kind: 'register', name: 'al', password: 'x' },
      acceptNew: true,
      knownHostsFile: 'kh',
      room: '#dev',
      e2e: true,
      resetIdentity: false,
      bell: true,
    });
  });

  it('turns end-to-end encryption off with --no-e2e; --reset-identity is for accounts that keep it', () => {
    expect(parseChatOptions(['tls://h:1'], {})).toMatchObject({ e2e: true, resetIdentity: false });
    expect(parseChatOptions(['tls://h:1', '--no-bell'], {})).toMatchObject({ bell: false });
    expect(parseChatOptions(['tls://h:1', '--no-e2e'], {})).toMatchObject({ e2e: false });
    expect(parseChatOptions(['tls://h:1', '--name', 'al', '--reset-identity'], { PARLEY_PASSWORD: 'pw' })).toMatchObject({ e2e: true, resetIdentity: true });
    expect(parseChatOptions(['tls://h:1', '--name', 'al', '--reset-identity'], {})).toMatch(/--reset-identity is for accounts/);
    expect(parseChatOptions(['tls://h:1', '--name', 'al', '--no-e2e', '--reset-identity'], { PARLEY_PASSWORD: 'pw' })).toMatch(/does nothing with --no-e2e/);
  });

  it('takes several server addresses, as arguments or comma-separated, in order', () => {
    expect(parseChatOptions(['tls://a:1', 'tls://b:2,tls://c:3', '--plain'], {})).toMatchObject({ urls: ['tls://a:1', 'tls://b:2', 'tls://c:3'], plain: true });
    expect(parseChatOptions(['tls://a:1,', '--name', 'al'], {})).toMatchObject({ urls: ['tls://a:1'] });
  });

  it('returns a usage message for bad input', () => {
    expect(parseChatOptions(['tls://a:1', 'gopher://b:2'], {})).toMatch(/^parley chat: Unsupported scheme "gopher:"/);
    expect(parseChatOptions([','], {})).toBe(CHAT_USAGE);
    expect(parseChatOptions([], {})).toBe(CHAT_USAGE);
    expect(parseChatOptions(['tls://h:1', '--register'], {})).toMatch(/--register needs --name and --password/);
    expect(parseChatOptions(['tls://h:1', '--bogus'], {})).toMatch(/^parley chat: Unknown option '--bogus'/);
  });
});
