import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage, ReplyData } from '@parley/protocol';
import { FrameClient, spawnServer, type SpawnedServer } from '../src/index.ts';

/**
 * The real `parley serve` process killed in the middle of a pipelined burst: every message the
 * server acknowledged must be there after a restart, exactly once, with gapless sequence numbers.
 */
const ARGS = ['--set', 'limits.messages_per_minute=1000000', '--set', 'limits.message_burst=1000000'];
const TOTAL = 300;
const IN_FLIGHT = 20;
const ROOM = '#crash';
const PW = 'crash-test-password';

const processes: SpawnedServer[] = [];
const clients: FrameClient[] = [];
const dirs: string[] = [];

async function spawn(dataDir: string): Promise<SpawnedServer> {
  const server = await spawnServer({ dataDir, args: ARGS });
  processes.push(server);
  return server;
}
async function connect(server: SpawnedServer, cmd: 'register' | 'login'): Promise<FrameClient> {
  const client = await FrameClient.open({ transport: 'tcp', codec: 'json', port: server.tcpPort }, { cmd, name: 'writer', password: PW });
  clients.push(client);
  return client;
}
const cmid = (i: number) => `cm-${String(i).padStart(4, '0')}`;
const text = (i: number) => `burst message ${i}`;

/**
 * Sends TOTAL messages with IN_FLIGHT outstanding at a time; calls `interrupt` once when `at`
 * acks have arrived. Resolves with cmid -> acknowledged seq, once nothing is outstanding.
 */
function burst(client: FrameClient, at: number, interrupt: () => void): Promise<Map<string, number>> {
  const acked = new Map<string, number>();
  let next = 0;
  let outstanding = 0;
  let interrupted = false;
  return new Promise((resolve) => {
    const pump = () => {
      while (!client.closed && outstanding < IN_FLIGHT && next < TOTAL) {
        const i = next++;
        outstanding += 1;
        client
          .request('send', { to: ROOM, text: text(i), cmid: cmid(i) }, 15_000)
          .then(
            (reply) => {
              if (reply.ok) acked.set(cmid(i), (reply.data as ReplyData['send']).sent[0]!.seq);
              if (!interrupted && acked.size >= at) {
                interrupted = true;
                interrupt();
              }
            },
            () => undefined,
          )
          .finally(() => {
            outstanding -= 1;
            if (outstanding === 0 && (client.closed || next >= TOTAL)) resolve(acked);
            else pump();
          });
      }
    };
    pump();
  });
}

async function roomHistory(client: FrameClient): Promise<ChatMessage[]> {
  const all: ChatMessage[] = [];
  for (;;) {
    const page = ((await client.ok('history', { with: ROOM, after: all.at(-1)?.seq ?? 0, limit: 200 })) as unknown as ReplyData['history']).messages;
    if (page.length === 0) return all;
    all.push(...page);
  }
}

/** Every acknowledged message present once with its acknowledged seq; seqs 1..n; no cmid twice; nothing foreign. */
function expectIntact(history: ChatMessage[], acked: Map<string, number>): void {
  expect(history.map((m) => m.seq)).toEqual(Array.from({ length: history.length }, (_, i) => i + 1));
  const cmids = history.map((m) => m.cmid);
  expect(new Set(cmids).size).toBe(history.length);
  for (const m of history) expect(m.text).toBe(text(Number(m.cmid!.slice(3))));
  const byCmid = new Map(history.map((m) => [m.cmid!, m.seq]));
  const missing = [...acked.keys()].filter((id) => !byCmid.has(id));
  expect(missing, 'acknowledged but lost').toEqual([]);
  for (const [id, seq] of acked) expect(byCmid.get(id), `seq of ${id}`).toBe(seq);
  expect(history.length).toBeLessThanOrEqual(TOTAL);
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of processes.splice(0)) {
    if (server.process.exitCode === null && server.process.signalCode === null) server.kill('SIGKILL');
    await server.exited;
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('crash safety of the real process', () => {
  it('loses no acknowledged message and duplicates none when killed with SIGKILL mid-burst', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
    dirs.push(dataDir);
    const first = await spawn(dataDir);
    const writer = await connect(first, 'register');
    await writer.ok('join', { room: ROOM });

    const acked = await burst(writer, TOTAL / 2, () => first.kill('SIGKILL'));
    expect(await first.exited).toBeNull();
    expect(first.process.signalCode).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(TOTAL / 2);
    expect(acked.size).toBeLessThan(TOTAL);

    const second = await spawn(dataDir);
    const reader = await connect(second, 'login');
    const history = await roomHistory(reader);
    expectIntact(history, acked);
    expect(history.length).toBeGreaterThanOrEqual(acked.size);

    // The client retries what was never acknowledged with the same cmids: each is stored once.
    for (let i = 0; i < TOTAL; i++) {
      if (acked.has(cmid(i))) continue;
      const { sent } = (await reader.ok('send', { to: ROOM, text: text(i), cmid: cmid(i) })) as unknown as ReplyData['send'];
      const stored = history.find((m) => m.cmid === cmid(i));
      expect(sent[0]!.duplicate).toBe(stored !== undefined);
      if (stored) expect(sent[0]!.seq).toBe(stored.seq);
    }
    const final = await roomHistory(reader);
    expect(final).toHaveLength(TOTAL);
    expectIntact(final, acked);
  });

  it('shuts down cleanly on SIGTERM mid-burst (exit code 0) and keeps every acknowledged message', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-term-'));
    dirs.push(dataDir);
    const first = await spawn(dataDir);
    const writer = await connect(first, 'register');
    await writer.ok('join', { room: ROOM });

    const acked = await burst(writer, 100, () => first.kill('SIGTERM'));
    expect(await first.exited).toBe(0);
    expect(acked.size).toBeGreaterThanOrEqual(100);
    // The client was told why it was disconnected (unless it had sent everything already).
    if (acked.size < TOTAL) {
      expect(writer.events().filter((e) => e.ev === 'error').map((e) => (e.ev === 'error' ? e.error.name : ''))).toEqual(['SHUTTING_DOWN']);
    }

    const second = await spawn(dataDir);
    const reader = await connect(second, 'login');
    expectIntact(await roomHistory(reader), acked);
  });
});
