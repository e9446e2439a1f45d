import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryE2eStorage, ParleyClient } from '@parley/client';
import { KnownHosts, nodeTransport } from '@parley/client/node';
import { generateIdentityKeyPair } from '@parley/e2e';
import { spawnServer } from '@parley/testkit';
import { Phase } from '../proc.ts';

/**
 * Direct messages through the SDK, end-to-end encrypted beside plaintext, in one harness: pairs
 * of ParleyClients over TLS, each person sending to the other with a few messages in flight (a
 * message leaves the window when its recipient has read it: decrypted, for the encrypted run).
 * The SDK clients run in this process, so the load generator's CPU is the clients' MLS work; the
 * server's CPU per message is what the encryption costs the server.
 */
export interface SdkDmResult {
  scenario: 'sdk-dm';
  encrypted: boolean;
  pairs: number;
  messages: number;
  messagesPerSec: number;
  serverCpuUsPerMessage: number;
  clientCpuMsPerMessage: number;
  p50Ms: number;
  p99Ms: number;
  complete: boolean;
}

const WINDOW = 4;
const SERVER_ENV = {
  PARLEY_LOG_LEVEL: 'warn',
  PARLEY_ROOMS_DEFAULT: '',
  PARLEY_LIMITS_MESSAGES_PER_MINUTE: '100000000',
  PARLEY_LIMITS_MESSAGE_BURST: '1000000',
  PARLEY_LIMITS_COMMANDS_PER_MINUTE_PER_CONNECTION: '100000000',
  PARLEY_LIMITS_COMMAND_BURST_PER_CONNECTION: '1000000',
};

interface Person {
  client: ParleyClient;
  name: string;
  peer: string;
  sent: number;
  inFlight: number;
  sentAt: Map<string, number>;
  /** The current exchange's handler of this person's incoming messages. */
  onMessage?: (message: { from: string; text: string }) => void;
}

const percentile = (sorted: number[], p: number) => Number((sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0).toFixed(2));

async function people(input: { port: number; pairs: number; encrypted: boolean; hosts: string }): Promise<Person[]> {
  const transport = nodeTransport({ knownHosts: new KnownHosts(input.hosts), acceptNew: true });
  const list: Person[] = [];
  for (let i = 0; i < input.pairs * 2; i++) {
    const name = `${input.encrypted ? 'e' : 'p'}${i}`;
    const e2e = input.encrypted ? { e2e: { identity: await generateIdentityKeyPair({ extractable: true }), storage: memoryE2eStorage() } } : {};
    const client = new ParleyClient({ url: `tls://127.0.0.1:${input.port}`, transport, credentials: { kind: 'register', name, password: 'bench-password' }, requestTimeoutMs: 60_000, ...e2e });
    await client.connect();
    await client.e2e?.whenReady();
    const person: Person = { client, name, peer: `${input.encrypted ? 'e' : 'p'}${i ^ 1}`, sent: 0, inFlight: 0, sentAt: new Map() };
    client.on('message', (m) => person.onMessage?.(m));
    list.push(person);
  }
  return list;
}

/** Each person sends `perPerson` texts "<name>:<n>"; resolves true when every one was read, false at the deadline. */
function exchange(list: Person[], input: { perPerson: number; latencies: number[]; timeoutMs: number }): Promise<boolean> {
  const byName = new Map(list.map((p) => [p.name, p]));
  const total = list.length * input.perPerson;
  let read = 0;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), input.timeoutMs);
    const pump = (person: Person) => {
      while (person.inFlight < WINDOW && person.sent < input.perPerson) {
        const text = `${person.name}:${person.sent++}`;
        person.inFlight++;
        person.sentAt.set(text, performance.now());
        person.client.send(person.peer, text).catch((error: unknown) => console.error(`bench:e2e: ${person.name} could not send: ${String(error)}`));
      }
    };
    for (const person of list) {
      person.onMessage = (m) => {
        const sender = byName.get(m.from);
        const at = sender?.sentAt.get(m.text);
        if (!sender || at === undefined) return;
        sender.sentAt.delete(m.text);
        input.latencies.push(performance.now() - at);
        sender.inFlight--;
        if (++read === total) {
          clearTimeout(timer);
          resolve(true);
        } else pump(sender);
      };
    }
    for (const person of list) pump(person);
  });
}

export async function sdkDm(input: { encrypted: boolean; pairs: number; perPerson: number; prefix: string[] }): Promise<SdkDmResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-e2e-'));
  const hosts = join(mkdtempSync(join(tmpdir(), 'parley-bench-hosts-')), 'known_hosts');
  const server = await spawnServer({ dataDir, tls: true, built: true, env: SERVER_ENV, prefix: input.prefix, ...(process.env.BENCH_CPU_PROF ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] } : {}) });
  const list = await people({ port: server.tlsPort!, pairs: input.pairs, encrypted: input.encrypted, hosts });
  try {
    // Warm-up: the first message of each conversation makes its group (two commits and Welcomes).
    await exchange(list, { perPerson: 1, latencies: [], timeoutMs: 120_000 });
    for (const person of list) person.sent = 0;
    const latencies: number[] = [];
    const phase = new Phase(server.process.pid!);
    const complete = await exchange(list, { perPerson: input.perPerson, latencies, timeoutMs: 300_000 });
    const { wallMs, cpuUs, loadgenCpuPct } = phase.end();
    const messages = latencies.length;
    latencies.sort((a, b) => a - b);
    return {
      scenario: 'sdk-dm',
      encrypted: input.encrypted,
      pairs: input.pairs,
      messages,
      messagesPerSec: Math.round(messages / (wallMs / 1000)),
      serverCpuUsPerMessage: Number((cpuUs / messages).toFixed(1)),
      clientCpuMsPerMessage: Number(((loadgenCpuPct / 100) * wallMs / messages).toFixed(2)),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      complete,
    };
  } finally {
    await Promise.all(list.map((p) => p.client.close()));
    server.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}
