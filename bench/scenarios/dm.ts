import { MarkerScanner } from '../markers.ts';
import { batching, busFigures, closeAll, openGuests, round, scrapeCounters, startPhase, type ScenarioConfig, type ScenarioResult } from './common.ts';
import { WindowedSenders } from './window.ts';

const PAIRS = 100;
const WINDOW = 10;
const TEXT_BYTES = 100;
/**
 * The measured phase's time limit at full size: room for a cluster run on a busy machine (a
 * cross-node DM run needs about a minute) before it is reported incomplete.
 */
const MEASURED_LIMIT_MS = 120_000;

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
  // In a cluster run the two of a pair are on different nodes (u even on one, u ^ 1 on the next).
  const connections = await openGuests(config, users, { prefix: 'u', room: () => undefined, node: (u) => u });
  const load = new WindowedSenders({
    senders: users,
    perSender: perUser,
    window: WINDOW,
    textBytes: TEXT_BYTES,
    send: (u, text, i) => connections[u]!.send({ cmd: 'send', to: `u${u ^ 1}`, text, id: i + 100 }),
  });
  connections.forEach((connection, u) => {
    connection.watchRefusals();
    const scanner = new MarkerScanner((sender, i) => {
      if (sender !== (u ^ 1) || i >= perUser) return;
      load.delivered(sender, i);
      load.confirmed(sender);
    });
    connection.onData = (chunk) => {
      load.receivedAt = performance.now();
      scanner.push(chunk);
    };
  });

  await load.runUntil(warmup, 30_000);
  for (const connection of connections) connection.bytesIn = 0;
  load.measuring = true;
  const countersBefore = await scrapeCounters(config);
  const phase = await startPhase(config);
  const finished = await load.runUntil(perUser, config.quick ? 20_000 : MEASURED_LIMIT_MS);
  const { wallMs, cpuUs, serverCpuPct, loadgenCpuPct } = await phase.end();
  const countersAfter = await scrapeCounters(config);
  const factors = { ...batching(countersBefore, countersAfter), ...busFigures(config, countersBefore, countersAfter) };
  const { deliveries: delivered, histogram } = load;
  const refusedSends = connections.reduce((sum, c) => sum + c.refusals, 0);
  const refusal = connections.find((c) => c.firstRefusal !== undefined)?.firstRefusal;
  if (refusal) console.error(`dm: ${refusedSends} sends refused, the first: ${refusal}`);
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
    refusedSends,
  };
}
