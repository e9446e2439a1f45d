import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParleyClient, type ClientOptions, type Credentials, type ServerUrl, type StateChange, type TransportFactory } from '@parley/client';
import { KnownHosts, nodeTransport } from '@parley/client/node';
import type { ChatMessage } from '@parley/protocol';
import { startTestCluster, waitFor, type TestCluster } from '../src/index.ts';
import { chat, cleanUp as cleanUpChats } from './chat-plain-process.ts';

/**
 * The SDK given several addresses of one server (the nodes of a cluster): it connects to the
 * first that answers, and when its node dies it moves to the next by itself and resumes from its
 * cursors, so nothing is lost or doubled.
 */
const cleanups: (() => unknown)[] = [];
let cluster: TestCluster | undefined;

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await cleanUpChats();
  await cluster?.stop();
  cluster = undefined;
});

/** A TCP port where nothing answers: bound, then closed, so connections are refused. */
async function deadPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function client(url: string | string[], credentials: Credentials, options: Partial<ClientOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-failover-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const inner = nodeTransport({ knownHosts: new KnownHosts(join(dir, 'known_hosts')), acceptNew: true });
  const tried: string[] = [];
  const transport: TransportFactory = (server: ServerUrl) => (tried.push(server.href), inner(server));
  const created = new ParleyClient({ url, credentials, transport, backoff: { initialMs: 20, maxMs: 250 }, ...options });
  cleanups.push(() => created.close());
  const seen = { messages: [] as ChatMessage[], states: [] as StateChange[], failovers: [] as { from: string; to: string }[], tried };
  created.on('message', (m) => seen.messages.push(m));
  created.on('state', (s) => seen.states.push(s));
  created.on('failover', (f) => seen.failovers.push(f));
  return { client: created, seen };
}

const texts = (messages: ChatMessage[], conv: string) => messages.filter((m) => m.conv === conv).map((m) => m.text);

describe('SDK with several server addresses', () => {
  it('skips an address that does not answer, fails over when its node is killed, and resumes with nothing lost or doubled', async () => {
    cluster = await startTestCluster({ nodes: 2 });
    const [n1, n2] = cluster.nodes as [NonNullable<TestCluster['nodes'][0]>, NonNullable<TestCluster['nodes'][1]>];
    const dead = `tcp://127.0.0.1:${await deadPort()}`;
    const addresses = [dead, `tcp://127.0.0.1:${n1.tcpPort}`, `tcp://127.0.0.1:${n2.tcpPort}`];
    const alice = client(addresses, { kind: 'register', name: 'alice', password: 'failover-pw' });
    await alice.client.connect();
    expect(alice.client.url.href).toBe(addresses[1]);
    expect(alice.seen.tried).toEqual(addresses.slice(0, 2));
    expect(alice.seen.states.find((s) => s.state === 'connected')?.server).toBe(addresses[1]);
    await alice.client.join('#ops');

    // A guest on the node that dies: its name is held there until the cluster notices.
    const gus = client(addresses.slice(1), { kind: 'guest', name: 'gus' });
    await gus.client.connect();
    await gus.client.join('#ops');

    const bob = client(`tcp://127.0.0.1:${n2.tcpPort}`, { kind: 'register', name: 'bob', password: 'failover-pw' });
    await bob.client.connect();
    await bob.client.join('#ops');
    await bob.client.send('#ops', 'before');
    await waitFor(() => texts(alice.seen.messages, '#ops').includes('before'), 'alice gets "before" live on node 1', 15_000);

    n1.kill('SIGKILL');
    await n1.exited;
    // Sent while alice is between nodes: she gets them when she resumes on node 2.
    for (let i = 0; i < 20; i++) await bob.client.send('#ops', `away ${i}`);
    await waitFor(() => alice.seen.failovers.length > 0 && alice.client.state === 'connected', 'alice to fail over to node 2', 20_000);
    expect(alice.seen.failovers).toEqual([{ from: addresses[1], to: addresses[2] }]);
    expect(alice.client.url.href).toBe(addresses[2]);
    await waitFor(() => gus.seen.failovers.length > 0 && gus.client.state === 'connected', 'the guest to get its name back on node 2', 20_000);
    expect(gus.client.identity?.name).toBe('gus');
    await waitFor(() => texts(gus.seen.messages, '#ops').length >= 21, 'the guest to have what was sent while away', 20_000);
    expect(texts(gus.seen.messages, '#ops')).toEqual(['before', ...Array.from({ length: 20 }, (_, i) => `away ${i}`)]);

    await bob.client.send('#ops', 'after');
    await alice.client.send('#ops', 'alice is back');
    // Her own send is acknowledged, not echoed back as a message (the receipt moves her cursor).
    const expected = ['before', ...Array.from({ length: 20 }, (_, i) => `away ${i}`), 'after'];
    await waitFor(() => texts(alice.seen.messages, '#ops').length >= expected.length, () => `alice to have every message; has ${JSON.stringify(alice.seen.messages.map((m) => [m.seq, m.text]))}`, 20_000);
    await waitFor(() => texts(bob.seen.messages, '#ops').includes('alice is back'), 'bob to get alice on node 2', 20_000);
    // Once each, in order.
    const seqs = alice.seen.messages.filter((m) => m.conv === '#ops').map((m) => m.seq);
    expect(texts(alice.seen.messages, '#ops')).toEqual(expected);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('fails the first connection only after every address failed, once each', async () => {
    const addresses = [`tcp://127.0.0.1:${await deadPort()}`, `tcp://127.0.0.1:${await deadPort()}`, `tcp://127.0.0.1:${await deadPort()}`];
    const guest = client(addresses, { kind: 'guest' });
    await expect(guest.client.connect()).rejects.toMatchObject({ errorName: 'CONNECT_FAILED' });
    expect(guest.seen.tried).toEqual(addresses);
    expect(guest.client.state).toBe('closed');
  });

  it("stops at the server's refusal instead of asking the next node (a wrong password is the same on every node)", async () => {
    cluster = await startTestCluster({ nodes: 2 });
    const addresses = cluster.nodes.map((n) => `tcp://127.0.0.1:${n.tcpPort}`);
    const first = client(addresses, { kind: 'register', name: 'carol', password: 'failover-pw' });
    await first.client.connect();
    await first.client.close();
    const wrong = client(addresses, { kind: 'login', name: 'carol', password: 'not-her-password' });
    await expect(wrong.client.connect()).rejects.toMatchObject({ errorName: 'BAD_CREDENTIALS' });
    expect(wrong.seen.tried).toEqual(addresses.slice(0, 1));
  });

  it('parley chat --plain takes several addresses and carries on on the next node when its node dies', async () => {
    cluster = await startTestCluster({ nodes: 2 });
    const [n1, n2] = cluster.nodes as [NonNullable<TestCluster['nodes'][0]>, NonNullable<TestCluster['nodes'][1]>];
    const [a1, a2] = [`tcp://127.0.0.1:${n1.tcpPort}`, `tcp://127.0.0.1:${n2.tcpPort}`];
    const dave = chat(`${a1},${a2}`, ['--name', 'dave', '--password', 'failover-pw', '--register', '--room', '#ops'], {});
    await dave.see(new RegExp(`connected to ${a1.replace(/[.:/]/g, '\\$&')} as dave \\(account\\)[\\s\\S]*joined #ops`));
    const erin = client(a2, { kind: 'register', name: 'erin', password: 'failover-pw' });
    await erin.client.connect();
    await erin.client.join('#ops');
    await erin.client.send('#ops', 'one');
    await dave.see('[#ops] erin: one');
    n1.kill('SIGKILL');
    await dave.see(new RegExp(`${a1.replace(/[.:/]/g, '\\$&')} is gone; continuing on ${a2.replace(/[.:/]/g, '\\$&')}`), 20_000);
    await erin.client.send('#ops', 'two');
    await dave.see('[#ops] erin: two');
    dave.type('dave on node 2');
    await waitFor(() => texts(erin.seen.messages, '#ops').includes('dave on node 2'), 'erin to get dave from node 2', 20_000);
    expect(dave.count('[#ops] erin: one')).toBe(1);
  });

  it('refuses an empty address list and a bad address at construction', () => {
    const transport: TransportFactory = () => Promise.reject(new Error('unused'));
    expect(() => new ParleyClient({ url: [], credentials: { kind: 'guest' }, transport })).toThrow(/No server address/);
    expect(() => new ParleyClient({ url: ['tcp://127.0.0.1:1', 'ftp://x'], credentials: { kind: 'guest' }, transport })).toThrow(/Unsupported scheme/);
  });
});
