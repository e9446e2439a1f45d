import { MarkerScanner } from '../markers.ts';
import { IrcConnection } from '../irc.ts';
import { NatsConnection } from '../nats.ts';
import { batching, openGuests, openMany, round, scrapeCounters, startPhase, type ScenarioConfig, type ScenarioResult } from './common.ts';
import { WindowedSenders } from './window.ts';

const RECEIVERS = 500;
const SENDERS = 5;
const WINDOW = 10;
const TEXT_BYTES = 100;

/**
 * 500 receivers in one room, 5 senders with at most 10 messages in flight each; a message
 * leaves its sender's window when every receiver has it. The first 10% of messages warm up the
 * server and are not measured.
 */
interface Receiver {
  bytesIn: number;
  onData: ((chunk: Buffer) => void) | undefined;
  close(): void;
}

interface FanoutPeers {
  receivers: Receiver[];
  senders: { send(text: string, id: number): void; close(): void }[];
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
  // A cluster run spreads the receivers over the nodes; the senders are on the first.
  const receivers = await openGuests(config, RECEIVERS, { prefix: 'r', room: () => '#bench', node: (i) => i });
  const guests = await openGuests(config, SENDERS, { prefix: 's', room: () => '#bench' });
  return {
    receivers,
    senders: guests.map((g) => ({ send: (text, id) => g.send({ cmd: 'send', to: '#bench', text, id }), close: () => g.close() })),
  };
}

export async function fanout(config: ScenarioConfig): Promise<ScenarioResult> {
  const perSender = config.quick ? 300 : 3000;
  const warmup = Math.ceil(perSender / 10);
  const { receivers, senders } = await openPeers(config);
  const parley = (config.system ?? 'parley') === 'parley';
  const received = Array.from({ length: SENDERS }, () => new Uint16Array(perSender));
  const load = new WindowedSenders({ senders: SENDERS, perSender, window: WINDOW, textBytes: TEXT_BYTES, send: (s, text, i) => senders[s]!.send(text, i + 100) });
  const onMarker = (s: number, i: number) => {
    const counts = received[s];
    if (!counts || i >= perSender) return;
    load.delivered(s, i);
    counts[i]! += 1;
    if (counts[i] === RECEIVERS) load.confirmed(s);
  };
  for (const receiver of receivers) {
    const scanner = new MarkerScanner(onMarker);
    receiver.onData = (chunk) => {
      load.receivedAt = performance.now();
      scanner.push(chunk);
    };
  }

  await load.runUntil(warmup, 30_000);
  for (const receiver of receivers) receiver.bytesIn = 0;
  load.measuring = true;
  const countersBefore = parley ? await scrapeCounters(config) : undefined;
  const phase = await startPhase(config);
  const finished = await load.runUntil(perSender, config.quick ? 20_000 : 60_000);
  const { wallMs, cpuUs, serverCpuPct, loadgenCpuPct } = await phase.end();
  const factors = countersBefore ? batching(countersBefore, await scrapeCounters(config)) : {};
  load.measuring = false;
  const { deliveries, histogram } = load;
  const bytes = receivers.reduce((sum, r) => sum + r.bytesIn, 0);
  for (const peer of [...receivers, ...senders]) peer.close();
  return {
    scenario: 'fanout',
    system: config.system ?? 'parley',
    transport: config.transport,
    codec: config.codec,
    complete: finished,
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
  };
}
