import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { MAX_BUS_PAYLOAD_BYTES, type Bus, type BusHandler, type BusPayload, type BusStats, type BusSubscription } from './bus.ts';
import { MAX_SUBJECT_LENGTH, isValidSubjectPrefix, topicSubject } from './bus-subject.ts';
import { decodeFrame, encodeFrame } from './bus-wire.ts';
import { TopicHandlers, defaultHandlerError } from './topic-handlers.ts';

export interface NatsBusOptions {
  /** `nats://host:port`, several comma-separated, or a list. */
  servers: string | string[];
  nodeId: string;
  /** The first subject tokens of every topic (default `parley`): one NATS can carry several servers. */
  subjectPrefix?: string;
  onHandlerError?: (error: unknown, topic: string) => void;
  /** Connection changes and errors the client reports, for the log. */
  onStatus?: (event: { connected: boolean; detail: string }) => void;
  /** Wait between connection attempts (default 250 ms, plus up to 100 ms of jitter). */
  reconnectWaitMs?: number;
}

export interface NatsBusStats extends BusStats {
  /** Frames from the wire that were not a bus frame (not MessagePack, wrong shape): ignored. */
  malformed: number;
  /** Payloads over MAX_BUS_PAYLOAD_BYTES, also counted in `dropped`. */
  oversize: number;
  /** Times the connection to NATS was lost. */
  disconnects: number;
  /** Errors the client reported (server `-ERR`s, subscription errors), slow consumers included. */
  errors: number;
  slowConsumers: number;
}

/** Resolves after the first connection attempt, connected or not; see NatsBus. */
export function openNatsBus(options: NatsBusOptions): Promise<NatsBus> {
  return NatsBus.open(options);
}

const DEFAULT_PREFIX = 'parley';
const DEFAULT_RECONNECT_WAIT_MS = 250;
const RECONNECT_JITTER_MS = 100;
/** A connection attempt to a host that does not answer gives up after this long. */
const CONNECT_TIMEOUT_MS = 2_000;
/**
 * A server that vanished without closing the socket (host down, network cut) is noticed after
 * PING_INTERVAL_MS × MAX_PINGS_OUT = 15 s instead of nats.js's default 2 × 2 min.
 */
const PING_INTERVAL_MS = 5_000;
const MAX_PINGS_OUT = 3;
const DRAIN_TIMEOUT_MS = 2_000;

/**
 * The Bus over core NATS (no JetStream: the store is the record, delivery repairs from it).
 * One connection per node with `noEcho`, so a node never hears its own publishes back (its own
 * subscribers were called inside `publish`); one NATS subscription per topic, shared by the
 * topic's handlers.
 *
 * While disconnected, publishes are dropped and counted rather than buffered: nats.js 3.3.1
 * discards its outbound buffer on every (re)connect (`ProtocolHandler.prepare` →
 * `resetOutbound`), so a "buffered" publish would be lost without anyone knowing. A publish in
 * the moment between the socket dying and the client noticing is counted as published and lost
 * all the same; the receivers' tail check (sequencer.ts) repairs both.
 *
 * Slow consumers: nats.js calls subscription callbacks as it parses, with no client-side queue
 * to overflow, so a node that falls behind backs up in nats-server, which disconnects it once
 * its pending bytes pass the server's max_pending (64 MiB by default). That shows here as a
 * disconnect, then a reconnect; whatever was missed, the tail check repairs.
 *
 * Connecting: the bus runs its own first-connect loop rather than nats.js's
 * `waitOnFirstConnect`, whose retry loop (3.3.1) cannot be stopped before it succeeds and holds
 * the event loop open with its timers, so a node shut down during a NATS outage would never
 * exit. After the first connection nats.js reconnects forever (`maxReconnectAttempts: -1`) and
 * resubscribes by itself.
 */
export class NatsBus implements Bus {
  readonly kind = 'nats';
  readonly nodeId: string;
  readonly #prefix: string;
  readonly #servers: string[];
  readonly #reconnectWaitMs: number;
  readonly #onStatus: (event: { connected: boolean; detail: string }) => void;
  readonly #handlers: TopicHandlers;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #stats = { published: 0, received: 0, dropped: 0, malformed: 0, oversize: 0, disconnects: 0, errors: 0, slowConsumers: 0 };

  /** Subjects by topic, made once: a DM publishes on two user topics, each base64'd anew otherwise. */
  readonly #subjects = new Map<string, string>();
  /**
   * The last payload sent and its bytes: a DM's one payload goes out on both participants'
   * topics, and is encoded once for both (payloads are not changed after they are published).
   */
  #lastPayload: BusPayload | undefined;
  #lastBytes: Uint8Array | undefined;

  #nc: NatsConnection | undefined;
  #connected = false;
  #closed = false;
  #loop: Promise<void> = Promise.resolve();
  #wake: (() => void) | undefined;

  static async open(options: NatsBusOptions): Promise<NatsBus> {
    const bus = new NatsBus(options);
    await new Promise<void>((firstAttemptDone) => {
      bus.#loop = bus.#run(firstAttemptDone);
    });
    return bus;
  }

  private constructor(options: NatsBusOptions) {
    const prefix = options.subjectPrefix ?? DEFAULT_PREFIX;
    if (!isValidSubjectPrefix(prefix)) throw new RangeError(`NATS subject prefix ${JSON.stringify(prefix)} is not dot-separated [A-Za-z0-9_-] tokens`);
    const servers = (typeof options.servers === 'string' ? options.servers.split(',') : options.servers).map((s) => s.trim()).filter((s) => s !== '');
    if (servers.length === 0) throw new RangeError('NATS bus needs at least one server');
    if (options.nodeId === '') throw new RangeError('NATS bus needs a node id');
    this.nodeId = options.nodeId;
    this.#prefix = prefix;
    this.#servers = servers;
    this.#reconnectWaitMs = options.reconnectWaitMs ?? DEFAULT_RECONNECT_WAIT_MS;
    const onStatus = options.onStatus;
    this.#onStatus = (event) => {
      try {
        onStatus?.(event);
      } catch {
        // A logging hook must not break the connection handling.
      }
    };
    this.#handlers = new TopicHandlers({
      onHandlerError: options.onHandlerError ?? defaultHandlerError,
      onFirst: (topic) => this.#subscribeSubject(topic),
      onLast: (topic) => this.#unsubscribeSubject(topic),
    });
  }

  /**
   * Calls this node's subscribers of `topic` synchronously, then hands the payload to NATS for
   * the other nodes. Sending comes first, so a handler that publishes in turn cannot get its
   * payload onto the wire ahead of this one.
   */
  publish(topic: string, payload: BusPayload): void {
    if (this.#closed) {
      this.#stats.dropped += 1;
      return;
    }
    this.#send(topic, payload);
    this.#handlers.dispatch(topic, payload, { from: this.nodeId, local: true });
  }

  subscribe(topic: string, handler: BusHandler): BusSubscription {
    if (this.#closed) return { unsubscribe: () => {} };
    return this.#handlers.add(topic, handler);
  }

  stats(): NatsBusStats {
    return { connected: this.#connected, ...this.#stats };
  }

  /**
   * Resolves once NATS has processed everything this node sent before the call, subscriptions
   * included (a PING/PONG round trip), or at once when disconnected. Tests use it to know that a
   * new subscription is in place before another node publishes.
   */
  async flush(): Promise<void> {
    const nc = this.#nc;
    if (!nc || !this.#connected) return;
    await nc.flush().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    this.#subscriptions.clear();
    this.#wake?.();
    const nc = this.#nc;
    const connected = this.#connected;
    this.#connected = false;
    if (nc && !nc.isClosed()) {
      // Drain sends what is still buffered; it waits on the server, so only while connected and
      // never for long.
      if (connected) await withTimeout(nc.drain(), DRAIN_TIMEOUT_MS);
      if (!nc.isClosed()) await nc.close().catch(() => undefined);
    }
    await this.#loop;
  }

  #send(topic: string, payload: BusPayload): void {
    const nc = this.#nc;
    if (!nc || !this.#connected) {
      this.#stats.dropped += 1;
      return;
    }
    const subject = this.#subject(topic);
    let bytes: Uint8Array;
    if (payload === this.#lastPayload && this.#lastBytes) {
      bytes = this.#lastBytes;
    } else {
      try {
        bytes = encodeFrame({ from: this.nodeId, payload });
      } catch {
        this.#stats.dropped += 1;
        return;
      }
      this.#lastPayload = payload;
      this.#lastBytes = bytes;
    }
    if (bytes.length > MAX_BUS_PAYLOAD_BYTES) {
      this.#stats.dropped += 1;
      this.#stats.oversize += 1;
      return;
    }
    if (subject.length > MAX_SUBJECT_LENGTH) {
      this.#stats.dropped += 1;
      return;
    }
    try {
      nc.publish(subject, bytes);
      this.#stats.published += 1;
    } catch {
      // Closed under us, or over the server's own max_payload.
      this.#stats.dropped += 1;
    }
  }

  #subject(topic: string): string {
    let subject = this.#subjects.get(topic);
    if (subject === undefined) {
      subject = topicSubject(this.#prefix, topic);
      if (this.#subjects.size >= 50_000) this.#subjects.clear();
      this.#subjects.set(topic, subject);
    }
    return subject;
  }

  /** Connects, waits for the connection to end for good, and again, until close. */
  async #run(firstAttemptDone: () => void): Promise<void> {
    let attempt = 0;
    while (!this.#closed) {
      attempt += 1;
      const nc = await this.#connect(attempt === 1);
      if (attempt === 1) firstAttemptDone();
      if (nc) {
        const error = await nc.closed();
        if (this.#closed) return;
        // Only a terminal error (authorization, say) ends a connection that reconnects forever.
        this.#detach(`connection closed${error ? `: ${error.message}` : ''}`);
      }
      if (!this.#closed) await this.#pause(this.#reconnectWaitMs + Math.random() * RECONNECT_JITTER_MS);
    }
    if (attempt === 0) firstAttemptDone();
  }

  async #connect(first: boolean): Promise<NatsConnection | undefined> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: this.#servers,
        name: `parley ${this.nodeId}`,
        noEcho: true,
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: this.#reconnectWaitMs,
        reconnectJitter: RECONNECT_JITTER_MS,
        timeout: CONNECT_TIMEOUT_MS,
        pingInterval: PING_INTERVAL_MS,
        maxPingOut: MAX_PINGS_OUT,
      });
    } catch (error) {
      // Report the first failure, not every retry of an outage.
      if (first) this.#onStatus({ connected: false, detail: `cannot connect to ${this.#servers.join(',')}: ${describe(error)}; retrying` });
      return undefined;
    }
    if (this.#closed) {
      await nc.close().catch(() => undefined);
      return undefined;
    }
    this.#nc = nc;
    this.#connected = true;
    for (const topic of this.#handlers.topics()) this.#subscribeSubject(topic);
    void this.#watchStatus(nc);
    this.#onStatus({ connected: true, detail: `connected to ${nc.getServer()}` });
    return nc;
  }

  async #watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (this.#closed || this.#nc !== nc) return;
      switch (status.type) {
        case 'disconnect':
          this.#connected = false;
          this.#stats.disconnects += 1;
          this.#onStatus({ connected: false, detail: `disconnected from ${status.server}` });
          break;
        case 'reconnect':
          this.#connected = true;
          this.#onStatus({ connected: true, detail: `reconnected to ${status.server}` });
          break;
        case 'error':
          this.#countError(status.error.message);
          break;
        case 'slowConsumer':
          this.#stats.slowConsumers += 1;
          this.#stats.errors += 1;
          this.#onStatus({ connected: this.#connected, detail: `slow consumer on ${status.sub.getSubject()}: ${status.pending} pending` });
          break;
        case 'staleConnection':
          this.#onStatus({ connected: this.#connected, detail: 'stale connection (no PONG from the server)' });
          break;
        default:
          break;
      }
    }
  }

  #countError(message: string): void {
    this.#stats.errors += 1;
    if (/slow consumer/i.test(message)) this.#stats.slowConsumers += 1;
    this.#onStatus({ connected: this.#connected, detail: `NATS error: ${message}` });
  }

  #detach(detail: string): void {
    this.#nc = undefined;
    this.#connected = false;
    this.#subscriptions.clear();
    this.#onStatus({ connected: false, detail });
  }

  #subscribeSubject(topic: string): void {
    const nc = this.#nc;
    if (!nc || this.#subscriptions.has(topic)) return;
    const subject = this.#subject(topic);
    if (subject.length > MAX_SUBJECT_LENGTH) {
      // Its SUB line would make nats-server drop the connection: this node hears only itself.
      this.#onStatus({ connected: this.#connected, detail: `topic too long for NATS (${subject.length} chars), local only` });
      return;
    }
    try {
      const sub = nc.subscribe(subject, { callback: (error, msg) => this.#receive(topic, error, msg) });
      this.#subscriptions.set(topic, sub);
    } catch (error) {
      this.#countError(`subscribing ${subject}: ${describe(error)}`);
    }
  }

  #unsubscribeSubject(topic: string): void {
    const sub = this.#subscriptions.get(topic);
    if (!sub) return;
    this.#subscriptions.delete(topic);
    try {
      sub.unsubscribe();
    } catch {
      // The connection closed meanwhile: the subscription went with it.
    }
  }

  /** Runs inside nats.js's parser: nothing may throw out of here. */
  #receive(topic: string, error: Error | null, msg: Msg): void {
    if (this.#closed) return;
    if (error) {
      this.#countError(`subscription ${topic}: ${error.message}`);
      return;
    }
    const frame = decodeFrame(msg.data);
    if (!frame) {
      this.#stats.malformed += 1;
      return;
    }
    if (!this.#handlers.has(topic)) return;
    this.#stats.received += 1;
    this.#handlers.dispatch(topic, frame.payload, { from: frame.from, local: false });
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      // Waiting for NATS must not keep a node's process alive by itself.
      timer.unref();
      this.#wake = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
