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
  /** A federated run: the room's name on each server (its home first), in endpoint order. */
  rooms?: string[];
  quick: boolean;
  /** The server under test; the others are run side by side for comparison. Default parley. */
  system?: 'parley' | 'nats' | 'inspircd';
  /** With --profile: where to write a CPU profile of the server over the measured phase. */
  profileFile?: string;
  /** Every client asks for compression at hello (JSON over TCP or TLS only). */
  compress?: boolean;
  /** DevTools URL when the server runs with --inspect (the idle scenario collects garbage through it). */
  inspectorUrl?: string;
  /** A cluster run with --profile: each node's DevTools URL and profile file, in node order. */
  profiles?: { inspectorUrl: string; profileFile: string }[];
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
    await connection.setup(
      [{ cmd: 'hello', v: 1, client: 'parley-bench' }, { cmd: 'guest', name: `${prefix}${i}` }, ...(target ? [{ cmd: 'join', room: target }] : [])],
      { compress: config.compress === true },
    );
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
  /** Cluster runs: what the bus brought and what had to be read from the store instead. */
  busReceived: number;
  gapRepairs: number;
  tailRepairs: number;
  busLagSeconds: number;
  busLagCount: number;
}

/** Summed over the nodes of a cluster run (a series a node does not have counts 0). */
export async function scrapeCounters(config: ScenarioConfig): Promise<ServerCounters> {
  const total: ServerCounters = { deliveries: 0, socketWrites: 0, storeBatches: 0, storedMessages: 0, busReceived: 0, gapRepairs: 0, tailRepairs: 0, busLagSeconds: 0, busLagCount: 0 };
  for (const endpoint of config.endpoints ?? [config.endpoint]) {
    const text = await (await fetch(`http://127.0.0.1:${endpoint.httpPort}/metrics`)).text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? 0 : Number(line.slice(series.length + 1));
    };
    total.deliveries += value('parley_deliveries_total');
    total.socketWrites += value('parley_socket_writes_total');
    total.storeBatches += value('parley_store_batch_messages_count');
    total.storedMessages += value('parley_store_batch_messages_sum');
    total.busReceived += value('parley_bus_received_total');
    total.gapRepairs += value('parley_bus_repairs_total{kind="gap"}');
    total.tailRepairs += value('parley_bus_repairs_total{kind="tail"}');
    total.busLagSeconds += value('parley_bus_lag_seconds_sum');
    total.busLagCount += value('parley_bus_lag_seconds_count');
  }
  return total;
}

/** Why each node closed connections so far (`parley_disconnects_total`), for a stalled run's report. */
export async function disconnectReasons(config: ScenarioConfig): Promise<string> {
  const nodes = await Promise.all(
    (config.endpoints ?? [config.endpoint]).map(async (endpoint, i) => {
      const text = await (await fetch(`http://127.0.0.1:${endpoint.httpPort}/metrics`)).text();
      const reasons = [...text.matchAll(/^parley_disconnects_total\{reason="([^"]+)"\} (\S+)$/gm)].map(([, reason, n]) => `${reason} ${n}`);
      return `node ${i + 1}: ${reasons.join(', ') || 'none'}`;
    }),
  );
  return nodes.join('; ');
}

/** Deliveries per socket write and messages per store transaction over a phase. */
export function batching(before: ServerCounters, after: ServerCounters): { deliveriesPerWrite: number; messagesPerTransaction: number } {
  return {
    deliveriesPerWrite: round((after.deliveries - before.deliveries) / (after.socketWrites - before.socketWrites), 1),
    messagesPerTransaction: round((after.storedMessages - before.storedMessages) / (after.storeBatches - before.storeBatches), 1),
  };
}

/**
 * A cluster run's bus figures over a phase: messages received from the other node, the ones
 * read from the store instead (gap fills, tail-check repairs), and the mean bus lag.
 */
export function busFigures(config: ScenarioConfig, before: ServerCounters, after: ServerCounters): Record<string, number> {
  if (nodeCount(config) < 2) return {};
  const lagCount = after.busLagCount - before.busLagCount;
  return {
    busReceived: after.busReceived - before.busReceived,
    gapRepairs: after.gapRepairs - before.gapRepairs,
    tailRepairs: after.tailRepairs - before.tailRepairs,
    busLagMeanMs: lagCount > 0 ? round(((after.busLagSeconds - before.busLagSeconds) * 1000) / lagCount, 1) : 0,
  };
}

/**
 * Starts measuring a phase: the server's CPU time and, with --profile, a CPU profile of the
 * server taken through the inspector over exactly this phase (the profiler adds overhead, so
 * a profiled run's numbers are not the benchmark's).
 */
export async function startPhase(config: ScenarioConfig): Promise<{ end(): Promise<ReturnType<Phase['end']>> }> {
  const targets = config.profiles ?? (config.profileFile && config.inspectorUrl ? [{ inspectorUrl: config.inspectorUrl, profileFile: config.profileFile }] : []);
  const inspectors = await Promise.all(targets.map(async ({ inspectorUrl, profileFile }) => ({ inspector: await Inspector.connect(inspectorUrl), profileFile })));
  for (const { inspector } of inspectors) await inspector.startProfile();
  const phase = new Phase(config.serverPids ?? [config.serverPid]);
  return {
    async end() {
      const measured = phase.end();
      for (const { inspector, profileFile } of inspectors) {
        writeFileSync(profileFile, JSON.stringify(await inspector.stopProfile()));
        inspector.close();
      }
      return measured;
    },
  };
}
