import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgresStore, type NewMessage, type PostgresStore, type StoredMessage } from '@parley/server';
import { dropSchema, scratchSchemaName, TEST_POSTGRES_URL, withPostgresClient } from '../src/postgres-scratch.ts';
import { waitFor } from '../src/wait.ts';

/**
 * Several "nodes" (PostgresStore instances with pools of their own) on one schema, as a cluster
 * runs them: seqs, cmid dedupe and name claims must hold across them, not only within one.
 */
describe('PostgreSQL store across nodes', () => {
  let schema: string;
  let nodes: PostgresStore[];

  beforeEach(async () => {
    schema = scratchSchemaName();
    nodes = [];
    for (let i = 0; i < 3; i++) nodes.push(await openPostgresStore({ url: TEST_POSTGRES_URL, schema, poolSize: 4, statementTimeoutMs: 20_000, connectTimeoutMs: 5000 }));
  });

  afterEach(async () => {
    for (const node of nodes) await node.close();
    await dropSchema(TEST_POSTGRES_URL, schema);
  });

  const node = (i: number): PostgresStore => nodes[i % nodes.length]!;
  const hot = '#hot';
  const msg = (text: string, extra: Partial<NewMessage> = {}): NewMessage => ({ conv: hot, senderId: 'u1', senderName: 'w', target: hot, text, createdAt: 1, ...extra });

  it('numbers one hot conversation 1..N in commit order under writers on three nodes, and a reader never sees a gap', async () => {
    const writers = 6;
    const batchesPerWriter = 15;
    let done = false;
    const problems: string[] = [];

    // Polls the tail like a node catching up: each page must continue exactly at last + 1.
    const reader = (async () => {
      let last = 0;
      for (;;) {
        const finished = done;
        const page = await node(2).history(hot, { after: last, limit: 500 });
        for (const m of page) {
          if (m.seq !== last + 1) problems.push(`reader saw seq ${m.seq} right after ${last}`);
          last = m.seq;
        }
        if (finished && page.length === 0) return last;
      }
    })();

    const results = await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const stored: StoredMessage[] = [];
        let n = 0;
        for (let b = 0; b < batchesPerWriter; b++) {
          // Mixed sizes, and a second conversation in some batches to mix lock sets.
          const size = 1 + ((w * 7 + b * 3) % 10);
          const batch = Array.from({ length: size }, () => msg(`${w}:${n++}`, { senderId: `w${w}` }));
          if (b % 4 === 0) batch.push(msg(`${w}:side`, { conv: '#side', senderId: `w${w}` }));
          const out = await node(w).appendMessages(batch);
          stored.push(...out.filter((r) => r.message.conv === hot).map((r) => r.message));
        }
        return stored;
      }),
    );
    done = true;
    const readerLast = await reader;

    const all = results.flat();
    const total = all.length;
    expect(problems).toEqual([]);
    expect(readerLast).toBe(total);
    expect(all.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const history = await node(0).history(hot, { after: 0, limit: total + 10 });
    expect(history.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Each writer's messages are stored in the order it sent them.
    for (let w = 0; w < writers; w++) {
      const mine = history.filter((m) => m.senderId === `w${w}`).map((m) => Number(m.text.split(':')[1]));
      expect(mine).toEqual(mine.map((_, i) => i));
    }
    expect(await node(1).lastSeq(hot)).toBe(total);
    expect(await node(1).lastSeqs([hot, '#side', '#none'])).toEqual(new Map([[hot, total], ['#side', writers * Math.ceil(batchesPerWriter / 4)]]));
  });

  it('stores a cmid raced from two nodes once; the loser gets the original', async () => {
    for (let round = 0; round < 20; round++) {
      const cmid = `race-${round}`;
      // Other messages in the batches make the race's loser redo more than the one message.
      const [a, b] = await Promise.all([
        node(0).appendMessages([msg(`a${round}`), msg('same', { cmid })]),
        node(1).appendMessages([msg('same', { cmid }), msg(`b${round}`)]),
      ]);
      const fromA = a![1]!;
      const fromB = b![0]!;
      expect([fromA.duplicate, fromB.duplicate].sort()).toEqual([false, true]);
      expect(fromA.message).toEqual(fromB.message);
    }
    const history = await node(2).history(hot, { after: 0, limit: 1000 });
    expect(history.filter((m) => m.text === 'same')).toHaveLength(20);
    expect(history.map((m) => m.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('deletes each old message once when retention runs on every node at once, in chunks', async () => {
    // More than one retention chunk (5000 rows), so the nodes' chunks interleave.
    for (let b = 0; b < 3; b++) {
      await node(b).appendMessages(Array.from({ length: 4000 }, (_, i) => msg(`m${b}-${i}`, { createdAt: b * 4000 + i, pendingFor: i % 100 === 0 ? [1] : [] })));
    }
    const counts = await Promise.all(nodes.map((n) => n.deleteMessagesBefore(11_000)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(11_000);
    const left = await node(0).history(hot, { after: 0, limit: 5000 });
    expect(left.map((m) => m.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => 11_001 + i));
    expect(await node(0).pendingFor(1, 1000)).toHaveLength(10);
  });

  describe('name claims', () => {
    const expiresAt = (name: string) =>
      withPostgresClient(TEST_POSTGRES_URL, async (c) => {
        const { rows } = await c.query<{ node_id: string; ms: number }>(
          `SELECT node_id, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::float8 AS ms FROM ${schema}.online_names WHERE name_key = $1 ORDER BY node_id`,
          [name],
        );
        return rows;
      });

    it('gives one free name to exactly one of 20 racing users on two nodes', async () => {
      const claims = [node(0).nameClaims('n0', 60_000), node(1).nameClaims('n1', 60_000)];
      const won = await Promise.all(Array.from({ length: 20 }, (_, i) => claims[i % 2]!.claim('alice', `g${i}`)));
      expect(won.filter(Boolean)).toHaveLength(1);
      const winner = `g${won.indexOf(true)}`;
      // The winner again, from either node: still theirs (an account on two nodes).
      expect(await claims[0]!.claim('alice', winner)).toBe(true);
      expect(await claims[1]!.claim('alice', winner)).toBe(true);
      expect(await claims[1]!.claim('alice', 'someone-else')).toBe(false);
    });

    it('frees a name when its lease runs out on the database clock', async () => {
      // Long enough that the refused claim below comes well inside it on a loaded machine.
      const a = node(0).nameClaims('n0', 2000);
      const b = node(1).nameClaims('n1', 60_000);
      const started = Date.now();
      expect(await a.claim('bob', 'u1')).toBe(true);
      expect(await b.claim('bob', 'u2')).toBe(false);
      await waitFor(() => b.claim('bob', 'u2'), 'the lease of bob to run out', 20_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
      expect(await a.claim('bob', 'u1')).toBe(false);
    });

    it('renews only this node’s live leases', async () => {
      const a = node(0).nameClaims('n0', 30_000);
      const b = node(1).nameClaims('n1', 60_000);
      expect(await a.claim('carol', 'u1')).toBe(true);
      expect(await b.claim('carol', 'u1')).toBe(true);
      await withPostgresClient(TEST_POSTGRES_URL, (c) => c.query(`UPDATE ${schema}.online_names SET expires_at = clock_timestamp() + interval '1 second' WHERE node_id = 'n0'`));
      await a.renew();
      const [ofA, ofB] = await expiresAt('carol');
      expect(ofA!.ms).toBeGreaterThan(25_000);
      expect(ofB!.ms).toBeGreaterThan(50_000);

      // A lease that ran out is not revived: another user may hold the name by now.
      expect(await a.claim('dave', 'u3')).toBe(true);
      await withPostgresClient(TEST_POSTGRES_URL, (c) => c.query(`UPDATE ${schema}.online_names SET expires_at = clock_timestamp() - interval '1 second' WHERE name_key = 'dave'`));
      await a.renew();
      expect((await expiresAt('dave'))[0]!.ms).toBeLessThan(0);
      expect(await b.claim('dave', 'u4')).toBe(true);
    });

    it('releases one claim, or every claim of a node', async () => {
      const a = node(0).nameClaims('n0', 60_000);
      const b = node(1).nameClaims('n1', 60_000);
      expect(await a.claim('erin', 'u1')).toBe(true);
      expect(await b.claim('erin', 'u1')).toBe(true);
      await a.release('erin', 'u1');
      expect(await a.claim('erin', 'u2')).toBe(false); // still u1's through node n1
      await b.release('erin', 'u1');
      expect(await a.claim('erin', 'u2')).toBe(true);

      expect(await a.claim('frank', 'u3')).toBe(true);
      expect(await b.claim('gina', 'u4')).toBe(true);
      await b.releaseNode('n0'); // node n1 saw n0 gone
      expect(await b.claim('erin', 'u5')).toBe(true);
      expect(await b.claim('frank', 'u5')).toBe(true);
      expect(await a.claim('gina', 'u6')).toBe(false);
    });
  });
});
