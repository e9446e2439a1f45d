import { connect } from 'node:net';
import type { BanInfo, Reply, RoomMemberInfo } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { useServerScope, waitFor, type FrameClient } from '../src/index.ts';

/**
 * Bans act only on people below the one who bans, by every kind of ban: a name, an address or
 * range, a key. Loopback addresses other than 127.0.0.1 stand for other machines here.
 */
const scope = useServerScope();

const PASSWORD = 'password123';
const errorName = (reply: Reply) => (reply.ok ? 'ok' : reply.error.name);

const from = (localAddress: string, login: Parameters<typeof scope.frames>[0]): Promise<FrameClient> => scope.frames(login, { localAddress });

const start = () => scope.start({ moderation: { exempt_addresses: ['127.0.0.1'] } });

describe('rank rules hold for address bans', () => {
  it("regression: a room moderator cannot ban the room owner's address, nor a range holding it or their own", async () => {
    await start();
    // The first account owns the server; the room's owner and moderator are plain users.
    await from('127.0.0.9', { cmd: 'register', name: 'root', password: PASSWORD });
    const owner = await from('127.0.0.2', { cmd: 'register', name: 'olga', password: PASSWORD });
    await owner.ok('create', { room: '#a' });
    const mod = await from('127.0.0.3', { cmd: 'register', name: 'mo', password: PASSWORD });
    await mod.ok('join', { room: '#a' });
    await owner.ok('roomrole', { room: '#a', name: 'mo', role: 'moderator' });
    const member = await from('127.0.0.4', { cmd: 'guest', name: 'pat' });
    await member.ok('join', { room: '#a' });

    const refused = await mod.request('ban', { room: '#a', target: '127.0.0.2' });
    expect(refused).toMatchObject({ ok: false, error: { code: 2005, name: 'FORBIDDEN' } });
    expect(refused.ok ? '' : refused.error.message).toMatch(/olga/);
    expect(errorName(await mod.request('ban', { room: '#a', target: '127.0.0.0/29' }))).toBe('FORBIDDEN');
    expect(errorName(await mod.request('ban', { room: '#a', target: '127.0.0.3' }))).toBe('FORBIDDEN');
    expect(((await owner.ok('who', { room: '#a' })).members as RoomMemberInfo[]).map((m) => m.name)).toContain('olga');
    expect(await owner.ok('listbans', { room: '#a' })).toEqual({ bans: [] });

    // Someone below them is fair game.
    expect(await mod.ok('ban', { room: '#a', target: '127.0.0.4' })).toMatchObject({ kind: 'ip', target: '127.0.0.4' });
    await member.event((e) => e.ev === 'part' && e.user === 'pat');
    expect(errorName(await member.request('join', { room: '#a' }))).toBe('BANNED_FROM_ROOM');
  });

  it("regression: an operator cannot ban the owner's address from the server", async () => {
    await start();
    const root = await from('127.0.0.2', { cmd: 'register', name: 'root', password: PASSWORD });
    await from('127.0.0.3', { cmd: 'register', name: 'opal', password: PASSWORD });
    await root.ok('grant', { name: 'opal', role: 'operator' });
    const op = await from('127.0.0.3', { cmd: 'login', name: 'opal', password: PASSWORD });
    expect(errorName(await op.request('ban', { target: '127.0.0.2' }))).toBe('FORBIDDEN');
    expect(errorName(await op.request('ban', { target: '127.0.0.2/32', duration: '1h' }))).toBe('FORBIDDEN');
    expect(errorName(await op.request('ban', { target: 'root', addresses: true }))).toBe('FORBIDDEN');
    expect(root.closed).toBe(false);
    expect(await root.ok('ping', {})).toEqual({ token: '' });
    // The owner may ban an operator's address.
    expect(await root.ok('ban', { target: '127.0.0.3', duration: '10m' })).toMatchObject({ kind: 'ip', disconnected: 2 });
  });
});

describe('a name ban can take the addresses along', () => {
  it('bans the addresses the user connects from, but not exempt ones, so a new name does not get round it', async () => {
    const server = await start();
    const root = await from('127.0.0.1', { cmd: 'register', name: 'root', password: PASSWORD });
    await from('127.0.0.5', { cmd: 'guest', name: 'dave' });
    const local = await from('127.0.0.1', { cmd: 'guest', name: 'dave' }).catch(() => undefined);
    expect(local).toBeUndefined(); // the name is taken; dave's second connection comes from elsewhere
    const ban = await root.ok('ban', { target: 'dave', addresses: true, reason: 'spam' });
    expect(ban).toMatchObject({ kind: 'account', target: 'dave', addresses: [{ kind: 'ip', target: '127.0.0.5', reason: 'spam' }], skipped: [] });
    // A refused connection gets one ERR line, whatever it meant to speak.
    const refusal = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: server.tcpPort, localAddress: '127.0.0.5' });
      socket.setEncoding('utf8');
      let seen = '';
      socket.on('data', (chunk: string) => (seen += chunk));
      socket.on('close', () => resolve(seen));
      socket.on('error', reject);
    });
    expect(refusal).toMatch(/^ERR 2008 BANNED /);

    await from('127.0.0.1', { cmd: 'guest', name: 'erin' });
    expect(await root.ok('ban', { target: 'erin', addresses: true })).toMatchObject({ addresses: [], skipped: ['127.0.0.1'] });
  });
});

describe('ban durations', () => {
  it('regression: a huge duration is refused with BAD_ARGUMENTS and listbans keeps working', async () => {
    const server = await start();
    const root = await from('127.0.0.1', { cmd: 'register', name: 'root', password: PASSWORD });
    for (const duration of ['999999999w', 9007199254740991, '3651d']) {
      expect(await root.request('ban', { target: 'mallory', duration })).toMatchObject({ ok: false, error: { code: 1003, name: 'BAD_ARGUMENTS' } });
    }
    const human = await scope.text();
    expect(await human.command(`LOGIN root ${PASSWORD}`)).toMatch(/^OK welcome/);
    expect(await human.command('BAN mallory 999999999w spam')).toMatch(/^ERR 1003 BAD_ARGUMENTS .*at most 10 years/);
    expect(await human.command('LISTBANS')).toBe('OK LISTBANS 0');
    expect(await root.ok('ban', { target: 'mallory', duration: '3650d' })).toMatchObject({ kind: 'account' });

    // A ban stored before durations were bounded lists as permanent instead of failing.
    await server.server.context.store.addBan({ scope: 'server', kind: 'account', value: 'trudy', reason: 'old', createdBy: 'root', expiresAt: 1e18 });
    await server.server.context.moderation.load();
    expect(((await root.ok('listbans', {})).bans as BanInfo[]).find((b) => b.target === 'trudy')).toMatchObject({ expires: null });
    human.send('LISTBANS');
    await waitFor(() => human.lines.some((line) => /^BAN server account trudy .* permanent old$/.test(line)), 'the old ban listed as permanent');
    expect(await human.expect(/^OK LISTBANS/)).toBe('OK LISTBANS 2');
  });
});
