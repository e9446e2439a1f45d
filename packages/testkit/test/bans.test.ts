import { connect as netConnect } from 'node:net';
import { parseDuration } from '@parley/protocol';
import { BanSet, parseBanTarget, type BanRecord } from '@parley/server';
import { describe, expect, it } from 'vitest';
import { sleep, useServerScope, waitFor } from '../src/index.ts';

/** Bans by account, IP, CIDR and key; persisted, enforced live, lapsing when they expire. */
function ban(partial: Partial<BanRecord> & Pick<BanRecord, 'kind' | 'value'>): BanRecord {
  return { id: 1, scope: 'server', reason: '', createdBy: 'op', createdAt: 0, expiresAt: null, ...partial };
}

describe('ban targets and matching (no server)', () => {
  it('normalizes names, addresses, CIDRs (v4, v6, v4-mapped) and keys', () => {
    expect(parseBanTarget('Mallory')).toEqual({ kind: 'account', value: 'mallory' });
    expect(parseBanTarget('10.1.2.3')).toEqual({ kind: 'ip', value: '10.1.2.3' });
    expect(parseBanTarget('::ffff:10.1.2.3')).toEqual({ kind: 'ip', value: '10.1.2.3' });
    expect(parseBanTarget('10.0.0.0/8')).toEqual({ kind: 'ip', value: '10.0.0.0/8' });
    expect(parseBanTarget('2001:DB8::/32')).toEqual({ kind: 'ip', value: '2001:db8::/32' });
    expect(parseBanTarget('key:SHA256:AbCdEf0123')).toEqual({ kind: 'key', value: 'SHA256:AbCdEf0123' });
    for (const bad of ['10.0.0.0/33', '::/129', 'not a name!', 'key:x']) expect(() => parseBanTarget(bad), bad).toThrow();
    expect([parseDuration('30s'), parseDuration('10m'), parseDuration('2h'), parseDuration('7d'), parseDuration('1w')]).toEqual([
      30_000, 600_000, 7_200_000, 604_800_000, 604_800_000 * 1,
    ]);
    expect([parseDuration(undefined), parseDuration('0'), parseDuration(90)]).toEqual([null, null, 90_000]);
    expect(() => parseDuration('soon')).toThrow();
  });

  it('matches accounts, addresses, v4 and v6 subnets and keys, per scope', () => {
    const set = new BanSet([
      ban({ kind: 'account', value: 'mallory' }),
      ban({ kind: 'ip', value: '192.0.2.0/24' }),
      ban({ kind: 'ip', value: '2001:db8::/32' }),
      ban({ kind: 'ip', value: '198.51.100.7' }),
      ban({ kind: 'key', value: 'SHA256:abcdef123' }),
      ban({ scope: '#room', kind: 'account', value: 'eve' }),
    ]);
    expect(set.matchServer({ account: 'mallory' })?.value).toBe('mallory');
    expect(set.matchServer({ account: 'alice' })).toBeUndefined();
    expect(set.matchServer({ ip: '192.0.2.200' })?.value).toBe('192.0.2.0/24');
    expect(set.matchServer({ ip: '::ffff:192.0.2.1' })?.value).toBe('192.0.2.0/24');
    expect(set.matchServer({ ip: '192.0.3.1' })).toBeUndefined();
    expect(set.matchServer({ ip: '2001:db8:ffff::1' })?.value).toBe('2001:db8::/32');
    expect(set.matchServer({ ip: '2001:db9::1' })).toBeUndefined();
    expect(set.matchServer({ ip: '198.51.100.7' })?.value).toBe('198.51.100.7');
    expect(set.matchServer({ ip: '198.51.100.8' })).toBeUndefined();
    // Key bans: stored and matched on a fingerprint (public-key login does not exist yet).
    expect(set.matchServer({ key: 'SHA256:abcdef123' })?.kind).toBe('key');
    expect(set.matchServer({ key: 'SHA256:other000' })).toBeUndefined();
    expect(set.matchServer({ account: 'eve' })).toBeUndefined();
    expect(set.match('#room', { account: 'eve' })?.scope).toBe('#room');
  });

  it('stops matching a ban the moment it expires', () => {
    const set = new BanSet([ban({ kind: 'account', value: 'temp', expiresAt: 1000 })]);
    expect(set.matchServer({ account: 'temp' }, 999)).toBeDefined();
    expect(set.matchServer({ account: 'temp' }, 1000)).toBeUndefined();
    expect(set.active(undefined, 999)).toHaveLength(1);
    expect(set.active(undefined, 1000)).toHaveLength(0);
  });
});

/** A text-mode client bound to a chosen loopback address (127.0.0.0/8 all reach the server). */
async function textFrom(port: number, localAddress: string) {
  const socket = netConnect({ host: '127.0.0.1', port, localAddress });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const lines: string[] = [];
  let partial = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  socket.on('error', () => undefined);
  return {
    lines,
    send: (line: string) => socket.write(`${line}\n`),
    closed: () => socket.destroyed || socket.readableEnded,
    close: () => socket.destroy(),
  };
}

const scope = useServerScope();

const PASSWORD = 'password123';

const { frames } = scope;

describe('bans on a live server', () => {
  it('bans by account, IP, CIDR and key take effect at once and survive a restart', async () => {
    await scope.start({ limits: { messages_per_minute: 6000, message_burst: 1000 } });
    const op = await frames({ cmd: 'register', name: 'op', password: PASSWORD }); // first account: owner
    const mallory = await frames({ cmd: 'register', name: 'mallory', password: PASSWORD });
    const fromFive = await textFrom(scope.server.tcpPort, '127.0.0.5');
    scope.track(fromFive);
    fromFive.send('GUEST wanderer');
    await waitFor(() => fromFive.lines.some((l) => l.startsWith('OK welcome')), 'wanderer logged in');

    expect(await op.ok('ban', { target: 'mallory', reason: 'spam' })).toMatchObject({ kind: 'account', target: 'mallory', disconnected: 1 });
    expect(await mallory.event((e) => e.ev === 'error')).toMatchObject({ error: { code: 2008, name: 'BANNED', action: 'stop' } });
    await mallory.waitClosed();

    expect(await op.ok('ban', { target: '127.0.0.4/30', duration: '1h' })).toMatchObject({ kind: 'ip', target: '127.0.0.4/30', disconnected: 1 });
    await waitFor(() => fromFive.closed(), 'the banned address is disconnected');
    expect(fromFive.lines.some((l) => l.startsWith('ERR 2008 BANNED'))).toBe(true);
    await op.ok('ban', { target: 'key:SHA256:deadbeef00', reason: 'stolen key' });
    // The operator's own address is refused as a target.
    expect(await op.request('ban', { target: '127.0.0.0/8' })).toMatchObject({ ok: false, error: { name: 'FORBIDDEN' } });

    const dataDir = scope.server.dataDir;
    await scope.stop();
    await scope.start({ data_dir: dataDir });

    const again = await frames(false);
    expect(await again.request('login', { name: 'mallory', password: PASSWORD })).toMatchObject({ ok: false, error: { code: 2008, name: 'BANNED' } });
    const refused = await textFrom(scope.server.tcpPort, '127.0.0.6');
    scope.track(refused);
    await waitFor(() => refused.closed(), 'a banned address is refused at connect');
    expect(refused.lines[0]).toMatch(/^ERR 2008 BANNED /);
    const outside = await textFrom(scope.server.tcpPort, '127.0.0.9');
    scope.track(outside);
    outside.send('GUEST outsider');
    await waitFor(() => outside.lines.some((l) => l.startsWith('OK welcome')), 'an address outside the CIDR gets in');

    const owner = await frames({ cmd: 'login', name: 'op', password: PASSWORD });
    const { bans } = (await owner.ok('listbans')) as { bans: { kind: string; target: string; reason: string; by: string; expires: number | null }[] };
    expect(bans.map((b) => [b.kind, b.target, b.reason, b.by])).toEqual([
      ['account', 'mallory', 'spam', 'op'],
      ['ip', '127.0.0.4/30', '', 'op'],
      ['key', 'SHA256:deadbeef00', 'stolen key', 'op'],
    ]);
    expect(bans[1]!.expires).toBeGreaterThan(Date.now() + 3_500_000);
    await owner.ok('unban', { target: 'mallory' });
    expect(await owner.request('unban', { target: 'mallory' })).toMatchObject({ ok: false, error: { name: 'NO_SUCH_BAN' } });
    await frames({ cmd: 'login', name: 'mallory', password: PASSWORD });
  });

  it('an expired ban lapses', async () => {
    await scope.start();
    const op = await frames({ cmd: 'register', name: 'op', password: PASSWORD });
    const text = await scope.text();
    expect(await text.command(`LOGIN op ${PASSWORD}`)).toMatch(/^OK welcome/);
    expect(await text.command('/ban brief 1s a short one')).toMatch(/^OK BAN server account brief until /);
    const listed = (await op.ok('listbans')) as { bans: unknown[] };
    expect(listed.bans).toHaveLength(1);
    const before = await frames(false);
    expect(await before.request('guest', { name: 'brief' })).toMatchObject({ ok: false, error: { name: 'BANNED' } });
    await sleep(1100);
    expect(((await op.ok('listbans')) as { bans: unknown[] }).bans).toEqual([]);
    const brief = await frames({ cmd: 'guest', name: 'brief' });
    // A banned name cannot be taken with NICK either.
    await op.ok('ban', { target: 'villain' });
    expect(await brief.request('nick', { name: 'Villain' })).toMatchObject({ ok: false, error: { name: 'FORBIDDEN' } });
  });

  it('a room ban removes the member and keeps them out of that room only', async () => {
    await scope.start();
    const owner = await frames({ cmd: 'register', name: 'roomer', password: PASSWORD });
    await owner.ok('grant', { name: 'roomer', role: 'user' }); // a plain user that created the room
    await owner.ok('create', { room: '#den' });
    const eve = await frames({ cmd: 'guest', name: 'eve' });
    await eve.ok('join', { room: '#den' });
    await owner.ok('ban', { room: '#den', target: 'eve', reason: 'trolling' });
    expect(await owner.event((e) => e.ev === 'part')).toMatchObject({ room: '#den', user: 'eve', kind: 'ban', by: 'roomer', reason: 'trolling' });
    expect(await eve.request('join', { room: '#den' })).toMatchObject({ ok: false, error: { code: 3007, name: 'BANNED_FROM_ROOM' } });
    await eve.ok('join', { room: '#elsewhere' });
    expect(eve.closed).toBe(false);
  });
});
