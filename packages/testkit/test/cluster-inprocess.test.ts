import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBusNetwork, openSqliteStore, type Store } from '@parley/server';
import { FrameClient } from '../src/frame-client.ts';
import { startTestServer, type TestServer } from '../src/server-fixture.ts';
import { generateIdentityKeyPair, identitySigner } from '@parley/e2e';
import { errorOf, makeDevice, register, type Person } from './e2e-delivery-kit.ts';

/**
 * Two nodes in one process on one store and an in-process bus network: the cluster wiring
 * (delivery by seq across nodes, events, roster, moderation and room changes) without the
 * engines. The real thing, three processes on PostgreSQL and NATS, is cluster.test.ts.
 */
const open: { close(): void }[] = [];
const nodes: TestServer[] = [];
let cleanup: (() => Promise<void>) | undefined;

afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  for (const node of nodes.splice(0)) await node.stop({ removeData: true });
  await cleanup?.();
  cleanup = undefined;
});

/** A store shared by the nodes; each node "closes" it at stop, the test closes it once at the end. */
function shared(store: Store): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'close') return async () => undefined;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

let network = new LocalBusNetwork();

async function twoNodes(limits = { messages_per_minute: 6000, message_burst: 1000 }, bus: { delayMs?: number } = {}): Promise<[TestServer, TestServer]> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cluster-'));
  const store = await openSqliteStore({ file: join(dir, 'parley.db') });
  cleanup = async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  network = new LocalBusNetwork(bus);
  const settings = { limits, cluster: { heartbeat_ms: 100, node_timeout_ms: 1000 } };
  for (const id of ['a', 'b']) nodes.push(await startTestServer({ ...settings, node_id: id }, { store: shared(store), bus: network.bus(id) }));
  return [nodes[0]!, nodes[1]!];
}

async function client(node: TestServer, login: { cmd: 'guest' | 'login' | 'register'; [key: string]: unknown }): Promise<FrameClient> {
  const c = await FrameClient.open({ transport: 'tcp', codec: 'json', port: node.tcpPort }, login);
  open.push(c);
  return c;
}

describe('two nodes in one process', () => {
  it("drops what a node of another store publishes on the same bus, counts it, and keeps delivering its own", async () => {
    const [a, b] = await twoNodes();
    // A third server with a database of its own, wrongly on this bus (one prefix for two servers).
    const stranger = await startTestServer({ node_id: 'x' }, { bus: network.bus('x') });
    nodes.push(stranger);
    expect(stranger.server.context.store.epoch).not.toBe(a.server.context.store.epoch);
    const alice = await client(a, { cmd: 'guest', name: 'alice' });
    await alice.ok('join', { room: '#dev' });
    const mallory = await client(stranger, { cmd: 'guest', name: 'mallory' });
    await mallory.ok('join', { room: '#dev' });
    await mallory.ok('send', { to: '#dev', text: 'from another store' });
    const foreign = async () => Number(/^parley_bus_foreign_total (\d+)/m.exec(await (await fetch(`http://127.0.0.1:${a.httpPort}/metrics`)).text())?.[1] ?? 0);
    await expect.poll(foreign, { timeout: 5000 }).toBeGreaterThan(0);
    const bob = await client(b, { cmd: 'guest', name: 'bob' });
    await bob.ok('join', { room: '#dev' });
    await bob.ok('send', { to: '#dev', text: 'ours' });
    await alice.event((e) => e.ev === 'message' && e.text === 'ours');
    expect(alice.events().filter((e) => e.ev === 'message').map((e) => (e as { text: string }).text)).toEqual(['ours']);
  });

  it('delivers room messages and DMs across nodes, once each and in seq order', async () => {
    const [a, b] = await twoNodes();
    const alice = await client(a, { cmd: 'register', name: 'alice', password: 'password123' });
    const bob = await client(b, { cmd: 'guest', name: 'bob' });
    await alice.ok('join', { room: '#dev' });
    await bob.ok('join', { room: '#dev' });
    for (let i = 1; i <= 20; i++) await (i % 2 ? alice : bob).ok('send', { to: '#dev', text: `m${i}` });
    const got = (c: FrameClient) => c.events().filter((e) => e.ev === 'message' && e.conv === '#dev').map((e) => (e as { seq: number }).seq);
    await expect.poll(() => got(alice).length + got(bob).length, { timeout: 5000 }).toBe(20);
    expect(got(alice)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(got(bob)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);

    await bob.ok('send', { to: 'alice', text: 'psst' });
    await alice.event((e) => e.ev === 'message' && e.text === 'psst');
  });

  it('shows members, joins and presence of the other node', async () => {
    const [a, b] = await twoNodes();
    const alice = await client(a, { cmd: 'guest', name: 'alice' });
    await alice.ok('join', { room: '#dev' });
    const bob = await client(b, { cmd: 'guest', name: 'bob' });
    await bob.ok('join', { room: '#dev' });
    await alice.event((e) => e.ev === 'join' && e.user === 'bob');
    await expect.poll(async () => ((await bob.ok('who', { room: '#dev' })) as { members: { name: string }[] }).members.map((m) => m.name).sort(), { timeout: 3000 }).toEqual(['alice', 'bob']);
    bob.close();
    await alice.event((e) => e.ev === 'presence' && e.user === 'bob' && e.status === 'offline');
  });

  it('a ban on one node ends the user\'s session on the other within a second', async () => {
    const [a, b] = await twoNodes();
    const owner = await client(a, { cmd: 'register', name: 'owner', password: 'password123' });
    const mallory = await client(b, { cmd: 'register', name: 'mallory', password: 'password123' });
    const started = Date.now();
    await owner.ok('ban', { target: 'mallory' });
    await mallory.waitClosed(3000);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a room moderator on one node kicks a member on the other; rooms and topics made on one are known on the other', async () => {
    const [a, b] = await twoNodes();
    const owner = await client(a, { cmd: 'register', name: 'owner', password: 'password123' });
    await owner.ok('join', { room: '#ops' });
    await owner.ok('topic', { room: '#ops', topic: 'on call' });
    const guest = await client(b, { cmd: 'guest', name: 'visitor' });
    await expect.poll(async () => (await guest.request('join', { room: '#ops' })).ok, { timeout: 3000 }).toBe(true);
    expect(((await guest.ok('rooms')) as { rooms: { name: string; topic: string; members: number }[] }).rooms).toContainEqual({ name: '#ops', topic: 'on call', members: 2 });
    await owner.ok('kick', { name: 'visitor', room: '#ops', reason: 'testing' });
    await guest.event((e) => e.ev === 'part' && e.user === 'visitor' && e.room === '#ops');
    await owner.event((e) => e.ev === 'part' && e.user === 'visitor');
  });

  it('sends a DM to a guest online on the other node', async () => {
    const [a, b] = await twoNodes();
    const alice = await client(a, { cmd: 'guest', name: 'alice' });
    const bob = await client(b, { cmd: 'guest', name: 'bob' });
    await expect.poll(async () => JSON.stringify(await alice.request('send', { to: 'bob', text: 'hello over there' })), { timeout: 3000 }).toContain('"ok":true');
    await bob.event((e) => e.ev === 'message' && e.text === 'hello over there');
    await bob.ok('send', { to: 'alice', text: 'and back' });
    await alice.event((e) => e.ev === 'message' && e.text === 'and back');
  });

  it('delivers the first DMs of two people writing each other at once from two nodes, though the bus is slower than the commits', async () => {
    // Each node sees its own commit at once and the other's 60 ms later: the second seq of the
    // conversation arrives first on one of them, and must not be taken for its start.
    const [a, b] = await twoNodes(undefined, { delayMs: 60 });
    const alice = await client(a, { cmd: 'guest', name: 'alice' });
    const bob = await client(b, { cmd: 'guest', name: 'bob' });
    await expect.poll(() => Boolean(a.server.context.cluster?.roster.findByName('bob') && b.server.context.cluster?.roster.findByName('alice')), { timeout: 3000 }).toBe(true);
    for (let round = 1; round <= 3; round++) {
      await Promise.all([alice.ok('send', { to: 'bob', text: `to bob ${round}` }), bob.ok('send', { to: 'alice', text: `to alice ${round}` })]);
    }
    const heard = (c: FrameClient, to: string) => c.events().filter((e) => e.ev === 'message' && e.text.startsWith(`to ${to} `));
    await expect.poll(() => [heard(bob, 'bob').length, heard(alice, 'alice').length], { timeout: 3000 }).toEqual([3, 3]);
    for (const [c, to] of [[bob, 'bob'], [alice, 'alice']] as const) {
      const seqs = heard(c, to).map((e) => (e as { seq: number }).seq);
      expect(seqs, `${to} gets them in seq order`).toEqual([...seqs].sort((x, y) => x - y));
      expect(heard(c, to).map((e) => (e as { text: string }).text)).toEqual([1, 2, 3].map((r) => `to ${to} ${r}`));
    }
  });

  it("tells the people of someone's DMs and encrypted rooms on the other node that their end-to-end devices changed", async () => {
    const [a, b] = await twoNodes();
    const alice = await client(a, { cmd: 'register', name: 'alice', password: 'password123' });
    const carol = await client(a, { cmd: 'register', name: 'carol', password: 'password123' });
    const raw = await FrameClient.open({ transport: 'tcp', codec: 'json', port: b.tcpPort }, false);
    open.push(raw);
    const { id } = (await raw.ok('register', { name: 'bob', password: 'password123' })) as { id: string };
    await alice.ok('send', { to: 'bob', text: 'a DM between them' });
    await carol.ok('create', { room: '#sealed', encrypted: true });
    await raw.ok('join', { room: '#sealed' });
    const bob: Person = { client: raw, name: 'bob', id, identity: await identitySigner(await generateIdentityKeyPair()) };
    const heard = (c: FrameClient) => c.event((e) => e.ev === 'e2e_devices' && (e as { user: string }).user === 'bob');
    const both = Promise.all([heard(alice), heard(carol)]);
    expect(errorOf(await register(bob, await makeDevice(bob, 'b1')))).toBe('ok');
    await both;
  });

  it("spends an account's message budget across its connections on both nodes", async () => {
    const [a, b] = await twoNodes({ messages_per_minute: 6, message_burst: 20 });
    const onA = await client(a, { cmd: 'register', name: 'chatty', password: 'password123' });
    const onB = await client(b, { cmd: 'login', name: 'chatty', password: 'password123' });
    const bucketOnB = () => b.server.context.users.findByName('chatty')!.messageRate.available();
    // Known on A as online on B too (the roster), so what A spends is told to B.
    await expect.poll(() => a.server.context.cluster?.roster.get('a1')?.name, { timeout: 3000 }).toBe('chatty');
    const before = bucketOnB();
    for (let i = 0; i < 5; i++) await onA.ok('send', { to: 'ALL', text: `spent on a ${i}` });
    await expect.poll(bucketOnB, { timeout: 3000 }).toBeLessThanOrEqual(before - 4.5);
    onB.close();
  });
});
