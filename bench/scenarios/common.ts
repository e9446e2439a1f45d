import { writeFileSync } from 'node:fs';
import { Inspector } from '../inspector.ts';
import { Phase } from '../proc.ts';
export { openMany } from '../wire.ts';
import { BenchConnection, openMany, type BenchCodec, type BenchTransport, type Endpoint } from '../wire.ts';

export interface ScenarioConfig {
  scenario: string;
  transport: BenchTransport;
  codec: BenchCodec;
  endpoint: Endpoint;
  serverPid: number;
  /** A cluster run: every node's endpoint and process (endpoint and serverPid are the first's). */
  endpoints?: Endpoint[];
  serverPids?: number[];
  quick: boolean;
  /** The server under test; the others are run side by side for comparison. Default parley. */
  system?: 'parley' | 'nats' | 'inspircd';
  /** With --profile: where to write a CPU profile of the server over the measured phase. */
  profileFile?: string;
  /** DevTools URL when the server runs with --inspect (the idle scenario collects garbage through it). */
  inspectorUrl?: string;
}

export interface ScenarioResult {
  scenario: string;
  transport: BenchTransport;
  codec: BenchCodec;
  [metric: string]: string | number | boolean;
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/** How many nodes serve this run (1 unless it is a cluster run). */
export function nodeCount(config: ScenarioConfig): number {
  return config.endpoints?.length ?? 1;
}

/**
 * Opens and logs in `count` guests named `<prefix><i>`, each joining `room(i)`, guest i on node
 * `node(i)` of a cluster run (the first node by default).
 */
export function openGuests(
  config: ScenarioConfig,
  count: number,
  { prefix, room, node = () => 0 }: { prefix: string; room: (i: number) => string | undefined; node?: (i: number) => number },
): Promise<BenchConnection[]> {
  return openMany(count, 64, async (i) => {
    const endpoint = config.endpoints?.[node(i) % nodeCount(config)] ?? config.endpoint;
    const connection = await BenchConnection.open(endpoint, config.transport, config.codec);
    const target = room(i);
    await connection.setup([
      { cmd: 'hello', v: 1, client: 'parley-bench' },
      { cmd: 'guest', name: `${prefix}${i}` },
      ...(target ? [{ cmd: 'join', room: target }] : []),
    ]);
    return connection;
  });
}

export function closeAll(connections: readonly BenchConnection[]): void {
  for (const connection of connections) connection.close();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A few counters from the server's /metrics, to explain the CPU numbers (batching factors). */
export interface ServerCounters {
  deliveries: number;
  socketWrites: number;
  storeBatches: number;
  storedMessages: number;
}

/** Summed over the nodes of a cluster run. */
export async function scrapeCounters(config: ScenarioConfig): Promise<ServerCounters> {
  const total: ServerCounters = { deliveries: 0, socketWrites: 0, storeBatches: 0, storedMessages: 0 };
  for (const endpoint of config.endpoints ?? [config.endpoint]) {
    const text = await (await fetch(`http://127.0.0.1:${endpoint.httpPort}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    total.deliveries += value('parley_deliveries_total');
    total.socketWrites += value('parley_socket_writes_total');
    total.storeBatches += value('parley_store_batch_messages_count');
    total.storedMessages += value('parley_store_batch_messages_sum');
  }
  return total;
}

/** Deliveries per socket write and messages per store transaction over a phase. */
export function batching(before: ServerCounters, after: ServerCounters): { deliveriesPerWrite: number; messagesPerTransaction: number } {
  return {
    deliveriesPerWrite: round((after.deliveries - before.deliveries) / (after.socketWrites - before.socketWrites), 1),
    messagesPerTransaction: round((after.storedMessages - before.storedMessages) / (after.storeBatches - before.storeBatches), 1),
  };
}

/**
 * Starts measuring a phase: the server's CPU time and, with --profile, a CPU profile of the
 * server taken through the inspector over exactly this phase (the profiler adds overhead, so
 * a profiled run's numbers are not the benchmark's).
 */
export async function startPhase(config: ScenarioConfig): Promise<{ end(): Promise<ReturnType<Phase['end']>> }> {
  const inspector = config.profileFile && config.inspectorUrl ? await Inspector.connect(config.inspectorUrl) : undefined;
  await inspector?.startProfile();
  const phase = new Phase(config.serverPids ?? [config.serverPid]);
  return {
    async end() {
      const measured = phase.end();
      if (inspector) {
        writeFileSync(config.profileFile!, JSON.stringify(await inspector.stopProfile()));
        inspector.close();
      }
      return measured;
    },
  };
}
