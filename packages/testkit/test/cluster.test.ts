import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage, ReplyData, ServerEvent } from '@parley/protocol';
import { FrameClient } from '../src/frame-client.ts';
import { startTestCluster, type ClusterNode, type TestCluster } from '../src/cluster-nodes.ts';

/**
 * Three real `parley serve` processes on the machine's PostgreSQL and NATS: one server, three
 * nodes. Members spread over the nodes talk in one room and in DMs, race for a name, get banned
 * on one node by a moderator on another, and a node is killed with SIGKILL mid-burst.
 */
let cluster: TestCluster | undefined;
const clients: FrameClient[] = [];
const PASSWORD = 'cluster-password';

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cluster?.stop();
  cluster = undefined;
});

async function on(node: ClusterNode, login: { cmd: 'guest' | 'login' | 'register'; [key: string]: unknown } | false): Promise<FrameClient> {
  const client = await FrameClient.open({ transport: 'tcp', codec: 'json', port: node.tcpPort }, login);
  clients.push(client);
  return client;
}

const messagesIn = (client: FrameClient, conv: string) =>
  client.events().filter((e): e is Extract<ServerEvent, { ev: 'message' }> => e.ev === 'message' && e.conv === conv);

async function history(client: FrameClient, conv: string): Promise<ChatMessage[]> {
  const all: ChatMessage[] = [];
  for (;;) {
    const page = ((await client.ok('history', { with: conv, after: all.at(-1)?.seq ?? 0, limit: 200 })) as unknown as ReplyData['history']).messages;
    if (page.length === 0) return all;
    all.push(...page);
  }
}

describe('a cluster of three nodes on PostgreSQL and NATS', () => {
  it('delivers a room whose members are on three nodes once each, in seq order, and DMs across nodes', async () => {
    cluster = await startTestCluster({ nodes: 3 });
    const people = await Promise.all(cluster.nodes.map((node, i) => on(node, { cmd: 'register', name: `user${i + 1}`, password: PASSWORD })));
    for (const person of people) await person.ok('join', { room: '#spread' });
    // Everyone sees everyone in the room, whichever node they are on.
    await expect
      .poll(async () => ((await people[0]!.ok('who', { room: '#spread' })) as { members: { name: string }[] }).members.map((m) => m.name).sort(), { timeout: 10_000 })
      .toEqual(['user1', 'user2', 'user3']);
    const sends = 30;
    await Promise.all(people.map(async (person, p) => {
      for (let i = 0; i < sends; i++) await person.ok('send', { to: '#spread', text: `from ${p} #${i}`, cmid: `p${p}-${i}` });
    }));
    const total = sends * people.length;
    for (const [p, person] of people.entries()) {
      const others = total - sends;
      await expect.poll(() => messagesIn(person, '#spread').length, { timeout: 15_000 }).toBeGreaterThanOrEqual(others);
      const seqs = messagesIn(person, '#spread').map((m) => m.seq);
      expect(seqs, `user${p + 1} gets each once, in order`).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(messagesIn(person, '#spread').every((m) => !m.text.startsWith(`from ${p} `))).toBe(true);
    }
    expect((await history(people[1]!, '#spread')).map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));

    await people[0]!.ok('send', { to: 'user3', text: 'dm from node 1' });
    await people[2]!.event((e) => e.ev === 'message' && e.text === 'dm from node 1', 10_000);
    const guest = await on(cluster.nodes[1]!, { cmd: 'guest', name: 'wanderer' });
    await expect.poll(async () => (await people[2]!.request('send', { to: 'wanderer', text: 'to a guest on node 2' })).ok, { timeout: 10_000 }).toBe(true);
    await guest.event((e) => e.ev === 'message' && e.text === 'to a guest on node 2', 10_000);
  });

  it('lets exactly one of two guests racing for one name on two nodes have it', async () => {
    cluster = await startTestCluster({ nodes: 3 });
    for (let round = 0; round < 5; round++) {
      const name = `racer${round}`;
      const [x, y] = await Promise.all([on(cluster.nodes[0]!, false), on(cluster.nodes[2]!, false)]);
      const replies = await Promise.all([x.request('guest', { name }), y.request('guest', { name })]);
      expect(replies.filter((r) => r.ok).length, `round ${round}`).toBe(1);
      expect(replies.find((r) => !r.ok)).toMatchObject({ ok: false, error: { name: 'NAME_TAKEN' } });
    }
  });

  it("ends a user's sessions on another node within a second of a ban", async () => {
    cluster = await startTestCluster({ nodes: 3 });
    const owner = await on(cluster.nodes[0]!, { cmd: 'register', name: 'owner', password: PASSWORD });
    const mallory = await on(cluster.nodes[2]!, { cmd: 'register', name: 'mallory', password: PASSWORD });
    const started = Date.now();
    await owner.ok('ban', { target: 'mallory', reason: 'spam' });
    await mallory.waitClosed(5000);
    expect(Date.now() - started).toBeLessThan(1000);
    const again = await on(cluster.nodes[1]!, false);
    expect(await again.request('login', { name: 'mallory', password: PASSWORD })).toMatchObject({ ok: false, error: { name: 'BANNED' } });
  });

  it('loses and doubles nothing when a node is killed with SIGKILL mid-burst: its writer resumes on another node', async () => {
    cluster = await startTestCluster({ nodes: 3 });
    const [n1, n2, n3] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    const writer = await on(n1, { cmd: 'register', name: 'writer', password: PASSWORD });
    const reader = await on(n3, { cmd: 'register', name: 'reader', password: PASSWORD });
    await writer.ok('join', { room: '#burst' });
    await reader.ok('join', { room: '#burst' });
    const TOTAL = 300;
    const acked = new Map<string, number>();
    const cmid = (i: number) => `b-${i}`;
    // Pipelined sends, 20 in flight; the node dies once half are acknowledged.
    await new Promise<void>((resolve) => {
      let next = 0;
      let outstanding = 0;
      let killed = false;
      const pump = () => {
        while (!writer.closed && outstanding < 20 && next < TOTAL) {
          const i = next++;
          outstanding += 1;
          writer
            .request('send', { to: '#burst', text: `m${i}`, cmid: cmid(i) }, 15_000)
            .then((reply) => {
              if (reply.ok) acked.set(cmid(i), (reply.data as ReplyData['send']).sent[0]!.seq);
              if (!killed && acked.size >= TOTAL / 2) {
                killed = true;
                n1.kill('SIGKILL');
              }
            }, () => undefined)
            .finally(() => {
              outstanding -= 1;
              if (outstanding === 0 && (writer.closed || next >= TOTAL)) resolve();
              else pump();
            });
        }
      };
      pump();
    });
    expect(await n1.exited).toBeNull();
    // The writer's client moves to node 2 and sends everything again with the same cmids:
    // what was stored is not stored twice, the rest is stored now.
    const moved = await on(n2, { cmd: 'login', name: 'writer', password: PASSWORD });
    for (let i = 0; i < TOTAL; i++) {
      const reply = await moved.ok('send', { to: '#burst', text: `m${i}`, cmid: cmid(i) });
      const [sent] = (reply as unknown as ReplyData['send']).sent;
      if (acked.has(cmid(i))) expect(sent!.seq, `acknowledged ${cmid(i)} keeps its seq`).toBe(acked.get(cmid(i)));
    }
    const stored = await history(moved, '#burst');
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(new Set(stored.map((m) => m.cmid)).size).toBe(TOTAL);
    // The reader on node 3 got every message live, once, in order, whichever node stored it.
    await expect.poll(() => messagesIn(reader, '#burst').length, { timeout: 15_000 }).toBe(TOTAL);
    expect(messagesIn(reader, '#burst').map((m) => m.seq)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    // The killed node's users go offline for the others, and node 1 comes back and catches up.
    const back = await cluster.restart(0);
    const late = await on(back, { cmd: 'login', name: 'reader', password: PASSWORD });
    expect((await history(late, '#burst')).length).toBe(TOTAL);
  });
});
