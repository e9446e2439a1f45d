import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage, ReplyData, ServerEvent } from '@parley/protocol';
import { FrameClient } from '../src/frame-client.ts';
import { startTestCluster, type ClusterNode, type TestCluster } from '../src/cluster-nodes.ts';
import { startNatsServer, type PrivateNatsServer } from '../src/nats-server.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../src/postgres-scratch.ts';

/**
 * Three nodes on a NATS and a PostgreSQL of the test's own, so they can be stopped and started:
 * with NATS down, sends still commit and reach the other nodes through the store; with
 * PostgreSQL down, sends are refused with a retryable code and nothing unstored is acknowledged,
 * and the nodes recover by themselves when it is back.
 */
let cluster: TestCluster | undefined;
let nats: PrivateNatsServer | undefined;
let postgres: PrivatePostgres | undefined;
const clients: FrameClient[] = [];
const PASSWORD = 'cluster-password';

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cluster?.stop();
  await nats?.stop();
  await postgres?.destroy();
  cluster = nats = postgres = undefined;
});

async function on(node: ClusterNode, login: { cmd: 'guest' | 'login' | 'register'; [key: string]: unknown }): Promise<FrameClient> {
  const client = await FrameClient.open({ transport: 'tcp', codec: 'json', port: node.tcpPort }, login);
  clients.push(client);
  return client;
}

const texts = (client: FrameClient, conv: string) =>
  client.events().filter((e): e is Extract<ServerEvent, { ev: 'message' }> => e.ev === 'message' && e.conv === conv).map((m) => m.text);

async function health(node: ClusterNode): Promise<{ bus: { connected: boolean } }> {
  return (await (await fetch(`http://127.0.0.1:${node.httpPort}/healthz`)).json()) as { bus: { connected: boolean } };
}

describe('cluster faults', () => {
  it('keeps committing with NATS down; the other nodes get the messages from the store, and live again once NATS is back', async () => {
    nats = await startNatsServer();
    cluster = await startTestCluster({ nodes: 3, natsUrl: nats.url });
    const [n1, , n3] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    const alice = await on(n1, { cmd: 'register', name: 'alice', password: PASSWORD });
    const bob = await on(n3, { cmd: 'register', name: 'bob', password: PASSWORD });
    await alice.ok('join', { room: '#ops' });
    await bob.ok('join', { room: '#ops' });
    await alice.ok('send', { to: '#ops', text: 'before' });
    await expect.poll(() => texts(bob, '#ops'), { timeout: 10_000 }).toEqual(['before']);

    await nats.stop();
    await expect.poll(async () => (await health(n1)).bus.connected, { timeout: 10_000 }).toBe(false);
    for (let i = 1; i <= 5; i++) await alice.ok('send', { to: '#ops', text: `during ${i}` });
    // The tail check (every 500 ms here) reads what the bus could not carry.
    await expect.poll(() => texts(bob, '#ops'), { timeout: 15_000 }).toEqual(['before', 'during 1', 'during 2', 'during 3', 'during 4', 'during 5']);

    await nats.start();
    await expect.poll(async () => (await health(n1)).bus.connected && (await health(n3)).bus.connected, { timeout: 15_000 }).toBe(true);
    await alice.ok('send', { to: '#ops', text: 'after' });
    await expect.poll(() => texts(bob, '#ops').at(-1), { timeout: 10_000 }).toBe('after');
    expect(texts(bob, '#ops')).toHaveLength(7);
  });

  it('refuses sends with STORE_UNAVAILABLE while PostgreSQL is down, acknowledges nothing unstored, and recovers by itself', async () => {
    postgres = await startPrivatePostgres();
    cluster = await startTestCluster({ nodes: 3, postgresUrl: postgres.url, env: { PARLEY_POSTGRES_STATEMENT_TIMEOUT_MS: '2000', PARLEY_POSTGRES_CONNECT_TIMEOUT_MS: '1000' } });
    const [n1, n2] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    const alice = await on(n1, { cmd: 'register', name: 'alice', password: PASSWORD });
    const bob = await on(n2, { cmd: 'register', name: 'bob', password: PASSWORD });
    await alice.ok('join', { room: '#ops' });
    await bob.ok('join', { room: '#ops' });
    await alice.ok('send', { to: '#ops', text: 'one' });

    await postgres.stop();
    const refused = await alice.request('send', { to: '#ops', text: 'lost?', cmid: 'during-outage' }, 15_000);
    expect(refused).toMatchObject({ ok: false, error: { name: 'STORE_UNAVAILABLE', action: 'retry' } });

    await postgres.start();
    // The pools reconnect by themselves; the retried send goes through on the same connection.
    await expect.poll(async () => (await alice.request('send', { to: '#ops', text: 'two', cmid: 'after-outage' }, 15_000)).ok, { timeout: 30_000 }).toBe(true);
    await expect.poll(() => texts(bob, '#ops'), { timeout: 10_000 }).toEqual(['one', 'two']);
    const history = ((await bob.ok('history', { with: '#ops', limit: 50 })) as unknown as ReplyData['history']).messages as ChatMessage[];
    expect(history.map((m) => [m.seq, m.text])).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
  });
});
