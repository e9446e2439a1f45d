import { afterEach, describe, expect, it } from 'vitest';
import { ParleyClient, type ClientReceipt, type Committed } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { ChatMessage } from '@parley/protocol';
import { waitFor } from '../src/index.ts';
import { FederationTestbed, history, poll } from './federation-kit.ts';
import { CuttableProxy } from './cuttable-proxy.ts';
import { homeAndMirror } from './home-and-mirror.ts';

/**
 * The SDK in a federated room (docs/client.md, "Rooms on other servers"): two real server
 * processes, the room homed on a.test, the SDK signed in on b.test. A send while the home is
 * down resolves as pending (seq 0, no cursor moved), and turns into a stored message with the
 * home's seq once the home is back: `committed` and `stored(receipt)`, never a `message` event
 * of one's own, stored exactly once, whether the commit arrives live or through a resume.
 */
const bed = new FederationTestbed();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await bed.cleanup();
});

const ROOM = '#dev@a.test';
/** A home killed and started again redials within seconds; the machine may be loaded. */
const COMMIT_BUDGET_MS = 60_000;

interface Watched {
  client: ParleyClient;
  messages: ChatMessage[];
  committed: Committed[];
}

async function sdk(port: number, name: string): Promise<Watched> {
  const client = new ParleyClient({ url: `tcp://127.0.0.1:${port}`, transport: nodeTransport(), credentials: { kind: 'register', name, password: `${name}-password-123` } });
  const watched: Watched = { client, messages: [], committed: [] };
  client.on('message', (m) => watched.messages.push(m));
  client.on('committed', (c) => watched.committed.push(c));
  cleanups.push(() => client.close());
  await client.connect();
  return watched;
}

const texts = (messages: readonly ChatMessage[]) => messages.map((m) => m.text);

describe('the SDK in a room homed on another server', () => {
  it('a send while the home is down is pending, then committed once at the home seq when the home is back', async () => {
    const pair = await homeAndMirror(bed);
    const alice = await bed.user(pair.home, 'alice');
    await alice.ok('join', { room: '#dev' });
    const bob = await sdk(pair.mirror.tcpPort, 'bob');
    const joined = await bob.client.join(ROOM);
    expect(joined).toMatchObject({ name: ROOM, conv: ROOM });
    await alice.event((e) => e.ev === 'join' && e.user === 'bob@b.test', 15_000);

    // Someone of the home, named with its server; a reply with a seq when the home answers.
    await alice.ok('send', { to: '#dev', text: 'hello from a' });
    const fromA = await waitFor(() => bob.messages.find((m) => m.text === 'hello from a'), 'bob to hear alice', 15_000);
    expect(fromA).toMatchObject({ from: 'alice@a.test', to: ROOM, conv: joined.conv });
    const [first] = await bob.client.send(ROOM, 'hello from b');
    expect(first).toMatchObject({ to: ROOM, conv: joined.conv, seq: fromA.seq + 1, duplicate: false });
    expect(first!.pending).toBeUndefined();
    expect(await bob.client.stored(first!)).toBe(first);

    await pair.killHome();
    const [pending] = await bob.client.send(ROOM, 'while a is down');
    expect(pending).toEqual({ to: ROOM, conv: joined.conv, seq: 0, duplicate: false, pending: true, cmid: expect.any(String) });
    let storedReceipt: ClientReceipt | undefined;
    const stored = bob.client.stored(pending!).then((receipt) => (storedReceipt = receipt));

    await pair.restartHome();
    const [committed] = await waitFor(() => (bob.committed.length > 0 ? bob.committed : undefined), 'the pending send to commit', COMMIT_BUDGET_MS);
    await stored;
    expect(committed).toMatchObject({ cmid: pending!.cmid, receipt: { to: ROOM, conv: joined.conv, seq: first!.seq + 1, duplicate: false, cmid: pending!.cmid } });
    expect(committed!.receipt.pending).toBeUndefined();
    expect(committed!.message).toMatchObject({ from: 'bob', text: 'while a is down', seq: first!.seq + 1, cmid: pending!.cmid });
    expect(storedReceipt).toEqual(committed!.receipt);

    // The cursor is at the committed seq (not 0, not behind): the next message comes once, in order.
    const alice2 = await bed.user(pair.home, 'alice', 'login');
    await alice2.ok('join', { room: '#dev' });
    await alice2.ok('send', { to: '#dev', text: 'after the restart' });
    const after = await waitFor(() => bob.messages.find((m) => m.text === 'after the restart'), 'bob to hear alice after the restart', 20_000);
    expect(after.seq).toBe(committed!.receipt.seq + 1);
    // Bob's own sends are never messages to him; each is stored once, at one seq, on both servers.
    expect(texts(bob.messages)).toEqual(['hello from a', 'after the restart']);
    expect(bob.committed).toHaveLength(1);
    const atHome = (await history(alice2, '#dev')).filter((m) => m.text === 'while a is down');
    expect(atHome.map((m) => [m.seq, m.from])).toEqual([[committed!.receipt.seq, 'bob@b.test']]);
    const mirrored = (await bob.client.history(ROOM, { limit: 50 })).messages.filter((m) => m.text === 'while a is down');
    expect(mirrored.map((m) => m.seq)).toEqual([committed!.receipt.seq]);
  }, 90_000);

  it('a pending send that commits while the sender is disconnected is committed from the resume, once', async () => {
    const pair = await homeAndMirror(bed);
    const alice = await bed.user(pair.home, 'alice');
    await alice.ok('join', { room: '#dev' });
    const proxy = await CuttableProxy.to(pair.mirror.tcpPort);
    cleanups.push(() => proxy.close());
    const bob = await sdk(proxy.port, 'bob');
    await bob.client.join(ROOM);
    await alice.event((e) => e.ev === 'join' && e.user === 'bob@b.test', 15_000);
    await alice.ok('send', { to: '#dev', text: 'hello from a' });
    await waitFor(() => bob.messages.find((m) => m.text === 'hello from a'), 'bob to hear alice', 15_000);

    await pair.killHome();
    const [pending] = await bob.client.send(ROOM, 'queued at b');
    expect(pending).toMatchObject({ pending: true, seq: 0 });
    proxy.cut();
    await waitFor(() => bob.client.state === 'reconnecting', 'the SDK to notice the cut', 15_000);

    // While bob's client is away: the home comes back, takes the message, and alice writes.
    const home = await pair.restartHome();
    const alice2 = await bed.user(home, 'alice', 'login');
    await alice2.ok('join', { room: '#dev' });
    await poll(async () => (await history(alice2, '#dev')).some((m) => m.text === 'queued at b'), 'the home to take the pending send', COMMIT_BUDGET_MS);
    await alice2.ok('send', { to: '#dev', text: 'while bob is away' });
    const carol = await bed.user(pair.mirror, 'carol');
    await carol.ok('join', { room: ROOM }, 15_000);
    await poll(async () => (await history(carol, ROOM)).some((m) => m.text === 'while bob is away'), 'b.test to store both', COMMIT_BUDGET_MS);
    expect(bob.committed).toEqual([]);

    proxy.heal();
    await waitFor(() => bob.client.state === 'connected' && bob.messages.some((m) => m.text === 'while bob is away'), 'the SDK to resume', 30_000);
    await waitFor(() => bob.committed.length > 0, 'the commit to be seen in the resume', 5_000);
    expect(bob.committed.map((c) => [c.cmid, c.message.text])).toEqual([[pending!.cmid, 'queued at b']]);
    expect((await bob.client.stored(pending!)).seq).toBe(bob.committed[0]!.receipt.seq);
    expect(texts(bob.messages)).toEqual(['hello from a', 'while bob is away']);
    const stored = (await history(carol, ROOM)).filter((m) => m.text === 'queued at b');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.seq).toBeLessThan(bob.messages.find((m) => m.text === 'while bob is away')!.seq);
  }, 90_000);
});
