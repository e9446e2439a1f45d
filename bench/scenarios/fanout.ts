import { MarkerScanner } from '../markers.ts';
import { IrcConnection } from '../irc.ts';
import { NatsConnection } from '../nats.ts';
import { batching, busFigures, disconnectReasons, nodeCount, openGuests, openMany, round, scrapeCounters, startPhase, type ScenarioConfig, type ScenarioResult } from './common.ts';
import { WindowedSenders } from './window.ts';

const RECEIVERS = 500;
const SENDERS = 5;
const WINDOW = 10;
const TEXT_BYTES = 100;
/**
 * The measured phase's time limit at full size: room for a cluster run on a busy machine (a
 * cross-node DM run needs about a minute) before it is reported incomplete.
 */
const MEASURED_LIMIT_MS = 120_000;

/**
 * 500 receivers in one room, 5 senders with at most 10 messages in flight each; a message
 * leaves its sender's window when every receiver has it. The first 10% of messages warm up the
 * server and are not measured.
 */
interface Receiver {
  bytesIn: number;
  /** Parley: the server closed the connection (a slow consumer, say). */
  readonly closed?: boolean;
  onData: ((chunk: Buffer) => void) | undefined;
  close(): void;
}

interface FanoutSender {
  send(text: string, id: number): void;
  close(): void;
  /** Parley: sends the server refused (each one leaves a window slot taken for good). */
  readonly refusals?: number;
  readonly firstRefusal?: string | undefined;
}

interface FanoutPeers {
  receivers: Receiver[];
  senders: FanoutSender[];
}

/**
 * Parley: guests in room #bench. The side-by-side comparisons: NATS subscribers of one subject,
 * IRC users in one channel.
 */
async function openPeers(config: ScenarioConfig): Promise<FanoutPeers> {
  if (config.system === 'inspircd') {
    const port = config.endpoint.tcpPort;
    const receivers = await openMany(RECEIVERS, 32, (i) => IrcConnection.open(port, `r${i}`, '#bench'));
    const users = await openMany(SENDERS, 5, (i) => IrcConnection.open(port, `s${i}`, '#bench'));
    return { receivers, senders: users.map((u) => ({ send: (text) => u.privmsg('#bench', text), close: () => u.close() })) };
  }
  if (config.system === 'nats') {
    const port = config.endpoint.tcpPort;
    const receivers = await openMany(RECEIVERS, 64, () => NatsConnection.open(port, 'bench.fanout'));
    const publishers = await openMany(SENDERS, 5, () => NatsConnection.open(port, undefined));
    return { receivers, senders: publishers.map((p) => ({ send: (text) => p.publish('bench.fanout', text), close: () => p.close() })) };
  }
  // A cluster or federated run spreads the receivers over the nodes; the senders are on the
  // first (a federated run's home, where the room is named #bench; elsewhere #bench@<home>).
  const roomOn = (i: number) => config.rooms?.[i % nodeCount(config)] ?? '#bench';
  const receivers = await openGuests(config, RECEIVERS, { prefix: 'r', room: roomOn, node: (i) => i });
  const guests = await openGuests(config, SENDERS, { prefix: 's', room: () => '#bench' });
  return {
    receivers,
    senders: guests.map((g) => {
      g.watchRefusals();
      return {
        send: (text: string, id: number) => g.send({ cmd: 'send', to: '#bench', text, id }),
        close: () => g.close(),
        get refusals() {
          return g.refusals;
        },
        get firstRefusal() {
          return g.firstRefusal;
        },
      };
    }),
  };
}

export async function fanout(config: ScenarioConfig): Promise<ScenarioResult> {
  const perSender = config.quick ? 300 : 3000;
  const warmup = Math.ceil(perSender / 10);
  const { receivers, senders } = await openPeers(config);
  const parley = (config.system ?? 'parley') === 'parley';
  const received = Array.from({ length: SENDERS }, () => new Uint16Array(perSender));
  // The highest index each receiver has of each sender (a sender's messages arrive in order):
  // when the load stalls, it tells who misses the message a window waits for.
  const highest = new Int32Array(RECEIVERS * SENDERS).fill(-1);
  const load = new WindowedSenders({ senders: SENDERS, perSender, window: WINDOW, textBytes: TEXT_BYTES, send: (s, text, i) => senders[s]!.send(text, i + 100) });
  const onMarker = (r: number, s: number, i: number) => {
    const counts = received[s];
    if (!counts || i >= perSender) return;
    load.delivered(s, i);
    highest[r * SENDERS + s] = i;
    counts[i]! += 1;
    if (counts[i] === RECEIVERS) load.confirmed(s);
  };
  receivers.forEach((receiver, r) => {
    const scanner = new MarkerScanner((s, i) => onMarker(r, s, i));
    receiver.onData = (chunk) => {
      load.receivedAt = performance.now();
      scanner.push(chunk);
    };
  });
  const stalled = async (phase: string) => {
    const nodes = parley ? nodeCount(config) : 1;
    const closed = new Array<number>(nodes).fill(0);
    receivers.forEach((r, i) => (closed[i % nodes]! += r.closed ? 1 : 0));
    const lines = received.map((counts, s) => {
      const stuck = counts.findIndex((n, i) => i < load.sent(s) && n < RECEIVERS);
      if (stuck < 0) return `sender ${s}: nothing unconfirmed (sent ${load.sent(s)})`;
      const missing = new Array<number>(nodes).fill(0);
      for (let r = 0; r < RECEIVERS; r++) if (highest[r * SENDERS + s]! < stuck) missing[r % nodes]! += 1;
      const refused = parley ? `; ${senders[s]!.refusals ?? 0} sends refused` : '';
      return `sender ${s}: message ${stuck} of ${load.sent(s)} sent has ${counts[stuck]}/${RECEIVERS}; missing on node(s) ${missing.join('/')}${refused}`;
    });
    const refusal = senders.map((p) => p.firstRefusal).find((t) => t !== undefined);
    const disconnects = parley ? `\n  receivers closed per node ${closed.join('/')}; server disconnects: ${await disconnectReasons(config)}` : '';
    // Data a moment ago: slow (a loaded machine), not stuck; nothing for seconds: stuck.
    const quiet = Math.round(performance.now() - load.receivedAt);
    console.error(`fanout: the ${phase} did not finish in time (last data ${quiet} ms ago):\n  ${lines.join('\n  ')}${refusal ? `\n  first refusal: ${refusal}` : ''}${disconnects}`);
  };

  const warmedUp = await load.runUntil(warmup, 30_000);
  if (!warmedUp) await stalled('warmup');
  for (const receiver of receivers) receiver.bytesIn = 0;
  load.measuring = true;
  const countersBefore = parley ? await scrapeCounters(config) : undefined;
  const phase = await startPhase(config);
  const finished = await load.runUntil(perSender, config.quick ? 20_000 : MEASURED_LIMIT_MS);
  const { wallMs, cpuUs, serverCpuPct, loadgenCpuPct } = await phase.end();
  if (warmedUp && !finished) await stalled('measured phase');
  const countersAfter = countersBefore ? await scrapeCounters(config) : undefined;
  const factors = countersBefore && countersAfter ? { ...batching(countersBefore, countersAfter), ...busFigures(config, countersBefore, countersAfter) } : {};
  load.measuring = false;
  const { deliveries, histogram } = load;
  const bytes = receivers.reduce((sum, r) => sum + r.bytesIn, 0);
  for (const peer of [...receivers, ...senders]) peer.close();
  return {
    scenario: 'fanout',
    system: config.system ?? 'parley',
    transport: config.transport,
    codec: config.codec,
    compression: config.compress ? 'deflate' : 'none',
    complete: warmedUp && finished,
    receivers: RECEIVERS,
    messages: (perSender - warmup) * SENDERS,
    deliveries,
    deliveriesPerSec: Math.round(deliveries / (wallMs / 1000)),
    serverCpuUsPerDelivery: round(cpuUs / deliveries, 3),
    p50Ms: histogram.percentile(50),
    p99Ms: histogram.percentile(99),
    ...factors,
    serverCpuPct,
    loadgenCpuPct,
    wireBytesPerDelivery: round(bytes / deliveries, 1),
    ...(parley ? { refusedSends: senders.reduce((sum, p) => sum + (p.refusals ?? 0), 0) } : {}),
  };
}
