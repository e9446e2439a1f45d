import { LatencyHistogram, markedText, MarkerScanner } from '../markers.ts';
import { Phase } from '../proc.ts';
import { batching, closeAll, openGuests, round, scrapeCounters, type ScenarioConfig, type ScenarioResult } from './common.ts';

const PAIRS = 100;
const WINDOW = 10;
const TEXT_BYTES = 100;

/**
 * 100 pairs of users sending each other direct messages, each user with at most 10 unconfirmed
 * (a message leaves the window when its recipient has it). Every DM is a durable store write;
 * the server batches the writes of one event-loop turn into one transaction.
 */
export async function dm(config: ScenarioConfig): Promise<ScenarioResult> {
  const perUser = config.quick ? 200 : 2000;
  const warmup = Math.ceil(perUser / 10);
  const users = PAIRS * 2;
  // User u talks with u ^ 1: a0 <-> b0 as users 0 and 1, and so on.
  const connections = await openGuests(config, users, 'u', () => undefined);
  const sentAt = Array.from({ length: users }, () => new Float64Array(perUser));
  const next = new Array<number>(users).fill(0);
  const inFlight = new Array<number>(users).fill(0);
  const histogram = new LatencyHistogram();
  let limit = warmup;
  let completed = 0;
  let measuring = false;
  let delivered = 0;
  let phaseDone: (() => void) | undefined;

  const pump = (u: number) => {
    while (inFlight[u]! < WINDOW && next[u]! < limit) {
      const i = next[u]!;
      next[u] = i + 1;
      inFlight[u]! += 1;
      sentAt[u]![i] = performance.now();
      connections[u]!.send({ cmd: 'send', to: `u${u ^ 1}`, text: markedText(u, i, TEXT_BYTES), id: i + 100 });
    }
  };
  connections.forEach((connection, u) => {
    const scanner = new MarkerScanner((sender, i) => {
      if (sender !== (u ^ 1) || i >= perUser) return;
      if (measuring) {
        delivered += 1;
        histogram.record(performance.now() - sentAt[sender]![i]!);
      }
      inFlight[sender]! -= 1;
      completed += 1;
      pump(sender);
      if (completed === limit * users) phaseDone?.();
    });
    connection.onData = (chunk) => scanner.push(chunk);
  });
  const runUntil = (newLimit: number, timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      limit = newLimit;
      const timer = setTimeout(() => resolve(false), timeoutMs);
      phaseDone = () => {
        clearTimeout(timer);
        resolve(true);
      };
      for (let u = 0; u < users; u++) pump(u);
    });

  await runUntil(warmup, 30_000);
  for (const connection of connections) connection.bytesIn = 0;
  measuring = true;
  const countersBefore = await scrapeCounters(config);
  const phase = new Phase(config.serverPid);
  const finished = await runUntil(perUser, config.quick ? 20_000 : 60_000);
  const { wallMs, cpuUs, serverCpuPct, loadgenCpuPct } = phase.end();
  const factors = batching(countersBefore, await scrapeCounters(config));
  const bytes = connections.reduce((sum, c) => sum + c.bytesIn, 0);
  closeAll(connections);
  return {
    scenario: 'dm',
    transport: config.transport,
    codec: config.codec,
    complete: finished,
    pairs: PAIRS,
    messages: delivered,
    deliveriesPerSec: Math.round(delivered / (wallMs / 1000)),
    serverCpuUsPerDelivery: round(cpuUs / delivered, 2),
    p50Ms: histogram.percentile(50),
    p99Ms: histogram.percentile(99),
    // Both the recipient's message event and the sender's reply.
    ...factors,
    serverCpuPct,
    loadgenCpuPct,
    wireBytesPerDelivery: round(bytes / delivered, 1),
  };
}
