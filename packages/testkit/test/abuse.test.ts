import { connect as netConnect } from 'node:net';
import type { Reply } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { sleep, useServerScope, waitFor } from '../src/index.ts';

/** Abuse protection. Each limit is hit on purpose with small settings. */
const scope = useServerScope();

const { frames: client } = scope;

const errorOf = (reply: Reply) => (reply.ok ? undefined : reply.error);
const PASSWORD = 'password123';
/** Loopback is exempt from the per-address throttles by default; these tests connect from it. */
const NOT_EXEMPT = { exempt_addresses: [] };

/** Opens a raw TCP connection from a chosen loopback address and returns what the server said first. */
async function rawFrom(port: number, localAddress = '127.0.0.1'): Promise<{ first: () => string; closed: () => boolean; close: () => void }> {
  const socket = netConnect({ host: '127.0.0.1', port, localAddress });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString())).on('error', () => undefined);
  return scope.track({ first: () => received, closed: () => socket.destroyed || socket.readableEnded, close: () => socket.destroy() });
}

describe('message flood', () => {
  it("one client's flood does not delay other clients' messages; the flooder is throttled, then disconnected", async () => {
    // After its burst the flooder earns no more tokens (6/min), so every further send is refused
    // and the refusals run up to flood_disconnect_after: about a second of flood at this rate.
    await scope.start({ limits: { messages_per_minute: 6, message_burst: 20, flood_disconnect_after: 6000 } });
    const flooder = await client({ cmd: 'guest', name: 'flooder' });
    const alice = await client({ cmd: 'guest', name: 'alice' });
    const bob = await client({ cmd: 'guest', name: 'bob' });

    // The flood: frames pipelined in chunks of 100 every 20 ms until the server cuts it off.
    const flood = (async () => {
      let n = 0;
      while (!flooder.closed && n < 50_000) {
        for (let i = 0; i < 100; i++) flooder.sendFrame({ cmd: 'send', id: `f${n++}`, to: '#general', text: `flood ${n}` });
        await sleep(20);
      }
    })();

    // Meanwhile alice sends bob DMs; bob measures how long each took. Only probes that ran
    // entirely while the flood was on count.
    const latencies: number[] = [];
    for (let i = 0; i < 18 && !flooder.closed; i++) { // alice's own burst is 20
      const sentAt = performance.now();
      await alice.ok('send', { to: 'bob', text: `probe ${i}` });
      await bob.event((e) => e.ev === 'message' && e.text === `probe ${i}`);
      if (!flooder.closed) latencies.push(performance.now() - sentAt);
      await sleep(10);
    }
    expect(latencies.length, 'probes measured during the flood').toBeGreaterThanOrEqual(5);
    latencies.sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)]!;
    // Generous bounds for a shared 2-core machine; a queue behind the flood would take seconds.
    expect(median, `latencies ${latencies.map((l) => l.toFixed(1)).join(' ')}`).toBeLessThan(100);
    expect(latencies.at(-1)!, `latencies ${latencies.map((l) => l.toFixed(1)).join(' ')}`).toBeLessThan(1000);

    // Throttled: beyond the burst, sends were refused with a retry-after and never reached #general.
    const replies = flooder.frames.filter((f): f is Reply => 're' in f);
    const limited = replies.filter((r) => errorOf(r)?.name === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThan(100);
    expect(errorOf(limited[0]!)?.retryAfterMs).toBeGreaterThan(0);
    const delivered = alice.events().filter((e) => e.ev === 'message' && e.from === 'flooder').length;
    expect(delivered).toBeLessThanOrEqual(replies.filter((r) => r.ok).length);
    expect(delivered).toBeLessThan(60);

    // Then disconnected, once the refusals pile up past flood_disconnect_after.
    expect(await flooder.event((e) => e.ev === 'error', 20_000)).toMatchObject({ error: { code: 4005, name: 'FLOODING' } });
    await flood;
    expect(flooder.closed).toBe(true);
  });

  it('disconnects a client that keeps flooding past flood_disconnect_after', async () => {
    await scope.start({ limits: { messages_per_minute: 60, message_burst: 5, flood_disconnect_after: 10 } });
    const flooder = await client({ cmd: 'guest', name: 'flooder' });
    for (let i = 0; i < 200; i++) flooder.sendFrame({ cmd: 'send', id: i, to: '#general', text: `x${i}` });
    expect(await flooder.event((e) => e.ev === 'error')).toMatchObject({ error: { code: 4005, name: 'FLOODING' } });
    await flooder.waitClosed();
    const others = await client({ cmd: 'guest', name: 'other' });
    await others.ok('send', { to: '#general', text: 'still fine' });
  });
});

describe('failed logins', () => {
  it('locks out a brute force, per account and per address, with growing lockouts', async () => {
    await scope.start({ limits: { login_failures_before_lockout: 3, login_lockout_ms: 400, login_lockout_max_ms: 60_000 }, moderation: NOT_EXEMPT });
    await (await client({ cmd: 'register', name: 'victim', password: PASSWORD })).close();
    const attacker = await client(false);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(errorOf(await attacker.request('login', { name: 'victim', password: `guess${i}` }))?.name ?? 'ok');
    expect(codes).toEqual(['BAD_CREDENTIALS', 'BAD_CREDENTIALS', 'BAD_CREDENTIALS', 'LOGIN_LOCKED', 'LOGIN_LOCKED']);
    const locked = errorOf(await attacker.request('login', { name: 'victim', password: PASSWORD }))!;
    expect(locked).toMatchObject({ code: 2010, name: 'LOGIN_LOCKED', action: 'retry' });
    expect(locked.retryAfterMs).toBeGreaterThan(0);
    expect(locked.retryAfterMs).toBeLessThanOrEqual(400);
    // The address is locked too: guessing at another account from it is refused.
    expect(errorOf(await attacker.request('login', { name: 'someoneelse', password: 'x' }))?.name).toBe('LOGIN_LOCKED');

    await sleep(locked.retryAfterMs! + 20);
    // One more failure doubles the lockout.
    const next = errorOf(await attacker.request('login', { name: 'victim', password: 'again' }))!;
    expect(next.name).toBe('BAD_CREDENTIALS');
    const doubled = errorOf(await attacker.request('login', { name: 'victim', password: PASSWORD }))!;
    expect(doubled.name).toBe('LOGIN_LOCKED');
    expect(doubled.retryAfterMs).toBeGreaterThan(400);
    await sleep(doubled.retryAfterMs! + 20);
    expect(await attacker.request('login', { name: 'victim', password: PASSWORD })).toMatchObject({ ok: true });

    // Every failure is in the audit log (refusals while locked cost nothing and are not).
    const audit = await scope.server.server.context.store.listAudit({ limit: 50 });
    expect(audit.filter((e) => e.action === 'login.failed').length).toBe(4);
  });
});

describe('hammering a locked login', () => {
  it('disconnects a connection that keeps trying while locked out', async () => {
    await scope.start({ limits: { login_failures_before_lockout: 2, login_lockout_ms: 60_000, flood_disconnect_after: 3 } });
    const attacker = await client(false);
    for (const password of ['a', 'b']) expect(errorOf(await attacker.request('login', { name: 'x', password }))?.name).toBe('BAD_CREDENTIALS');
    for (let i = 0; i < 3; i++) attacker.sendFrame({ cmd: 'login', id: `h${i}`, name: 'x', password: 'c' });
    expect(await attacker.event((e) => e.ev === 'error')).toMatchObject({ error: { name: 'FLOODING' } });
    await attacker.waitClosed();
  });
});

describe('connection and login limits', () => {
  it('refuses new connections from an address that connects too fast, with a retry-after', async () => {
    await scope.start({ limits: { new_connections_per_second_per_ip: 2, new_connection_burst_per_ip: 3 }, moderation: NOT_EXEMPT });
    const first = [await rawFrom(scope.server.tcpPort), await rawFrom(scope.server.tcpPort), await rawFrom(scope.server.tcpPort)];
    const fourth = await rawFrom(scope.server.tcpPort);
    await waitFor(() => fourth.closed(), 'the fourth connection is refused');
    expect(fourth.first()).toMatch(/^ERR 4001 TOO_MANY_CONNECTIONS Connecting too fast/);
    expect(first.every((c) => !c.closed())).toBe(true);
    // Another address is not affected.
    const elsewhere = await rawFrom(scope.server.tcpPort, '127.0.0.2');
    await sleep(50);
    expect(elsewhere.closed()).toBe(false);
    await sleep(600);
    const later = await rawFrom(scope.server.tcpPort);
    await sleep(50);
    expect(later.closed()).toBe(false);
  });

  it('spares exempt addresses (loopback by default) the per-address throttles, not the bans', async () => {
    await scope.start({ limits: { new_connections_per_second_per_ip: 1, new_connection_burst_per_ip: 2, guests_per_minute_per_ip: 1, guest_burst_per_ip: 1 } });
    for (let i = 0; i < 6; i++) (await client({ cmd: 'guest' })).close();
    const owner = await client({ cmd: 'register', name: 'owner', password: PASSWORD });
    await owner.ok('ban', { target: '127.0.0.7' });
    const banned = await rawFrom(scope.server.tcpPort, '127.0.0.7');
    await waitFor(() => banned.closed(), 'a banned exempt address is still refused');
    expect(banned.first()).toMatch(/^ERR 2008 BANNED/);
  });

  it('caps concurrent connections per network (CIDR)', async () => {
    await scope.start({ limits: { max_connections_per_cidr: 2, cidr_prefix_v4: 24 }, moderation: NOT_EXEMPT });
    await rawFrom(scope.server.tcpPort, '127.0.0.1');
    await rawFrom(scope.server.tcpPort, '127.0.0.2');
    const third = await rawFrom(scope.server.tcpPort, '127.0.0.3');
    await waitFor(() => third.closed(), 'the third connection from the /24 is refused');
    expect(third.first()).toMatch(/^ERR 4001 TOO_MANY_CONNECTIONS At most 2 connections per network/);
    const otherNet = await rawFrom(scope.server.tcpPort, '127.0.1.1');
    await sleep(50);
    expect(otherNet.closed()).toBe(false);
  });

  it('limits guest logins per address', async () => {
    await scope.start({ limits: { guests_per_minute_per_ip: 1, guest_burst_per_ip: 2 }, moderation: NOT_EXEMPT });
    await client({ cmd: 'guest' });
    await client({ cmd: 'guest' });
    const third = await client(false);
    expect(errorOf(await third.request('guest', {}))).toMatchObject({ name: 'RATE_LIMITED', code: 4000 });
  });

  it('limits joins and room creations per user', async () => {
    await scope.start({ limits: { joins_per_minute: 60, join_burst: 3 } });
    const user = await client({ cmd: 'guest' });
    await user.ok('join', { room: '#a' });
    await user.ok('create', { room: '#b' });
    await user.ok('join', { room: '#c' });
    const refused = errorOf(await user.request('join', { room: '#d' }))!;
    expect(refused).toMatchObject({ name: 'RATE_LIMITED' });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    await sleep(refused.retryAfterMs! + 20);
    await user.ok('join', { room: '#d' });
  });

  it('limits commands per connection, before login too', async () => {
    await scope.start({ limits: { commands_per_minute_per_connection: 60, command_burst_per_connection: 5 } });
    const anon = await client(false); // hello used one
    const results: string[] = [];
    for (let i = 0; i < 6; i++) results.push(errorOf(await anon.request('ping', {}))?.name ?? 'ok');
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
  });
});
