import type { ServerEvent } from '@parley/protocol';
import { encodeUtf8 } from '@parley/protocol';
import { encodeStructured, frameBytes, isTextFormat, type WireFormat } from './wire-format.ts';
import { eventLine } from './text-lines.ts';

/**
 * An event on its way to many connections. Each wire format's bytes are made at most once and
 * shared by every recipient using that format (the fan-out hot path allocates nothing per
 * recipient).
 */
export class OutboundEvent {
  private readonly encoded: Partial<Record<WireFormat, Buffer>> = {};
  /** Whether the event may wait for the next lazy flush (see LAZY_EVENTS). */
  readonly lazy: boolean;

  constructor(readonly event: ServerEvent) {
    this.lazy = LAZY_EVENTS.has(event.ev);
  }

  bytes(format: WireFormat): Buffer {
    let bytes = this.encoded[format];
    if (bytes === undefined) {
      bytes = isTextFormat(format)
        ? frameBytes(format, encodeUtf8(eventLine(this.event)))
        : encodeStructured(format, this.event);
      this.encoded[format] = bytes;
    }
    return bytes;
  }
}

/**
 * Who joined, left or went away. Each one goes to every member of a room, so a burst of them
 * (a busy room, or everyone reconnecting after a restart) would cost one socket write per member
 * per event; waiting up to LAZY_FLUSH_MS lets a socket take a whole burst in one write. They
 * still leave in order with everything else on the same connection.
 */
const LAZY_EVENTS: ReadonlySet<ServerEvent['ev']> = new Set(['join', 'part', 'presence']);

/** What a queue writes to: net.Socket and tls.TLSSocket both fit. */
export interface ByteSink {
  write(chunk: Uint8Array): boolean;
  cork(): void;
  uncork(): void;
  readonly writableLength: number;
  readonly destroyed: boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/** Told once when a push would pass the cap; the queue is closed by then. */
export interface QueueOwner {
  overflowed(): void;
}

export interface OutboundQueueOptions {
  sink: ByteSink;
  capBytes: number;
  /**
   * An object, not a callback: a closure per connection made in an options object costs an
   * extra 256 bytes each under tsx (esbuild's keepNames names it, giving it a property store).
   */
  owner: QueueOwner;
  flusher: Flusher;
}

/**
 * Per-connection outbound queue with a byte cap. Chunks wait for the flusher (the end of the
 * event-loop turn, or a little longer under load), then each socket gets one write, however
 * many events it carries. Bytes already handed to the socket but not yet sent count against
 * the cap, so a reader that stalls cannot grow the server's memory without bound; bytes only
 * waiting for the flusher are written early instead of counting as the reader's fault.
 */
export class OutboundQueue {
  private sink: ByteSink;
  /** A field, not a lookup of the live config: every delivery reads it. A reload sets it (setCap). */
  private capBytes: number;
  private readonly owner: QueueOwner;
  private readonly flusher: Flusher;
  private chunks: Uint8Array[] = [];
  private queuedBytes = 0;
  private closed = false;
  /** Whether the flusher will flush this queue this turn, or only at its next lazy flush. */
  private scheduled = false;
  private lazyScheduled = false;

  constructor({ sink, capBytes, owner, flusher }: OutboundQueueOptions) {
    this.sink = sink;
    this.capBytes = capBytes;
    this.owner = owner;
    this.flusher = flusher;
  }

  /**
   * Returns false when the chunk was refused (queue closed or overflowing). A lazy chunk waits
   * for the next lazy flush unless something else makes the queue flush sooner.
   */
  push(chunk: Uint8Array, lazy = false): boolean {
    if (this.closed) return false;
    const cap = this.capBytes;
    // A big backlog waiting for the flusher goes out now: pacing must not make a reader that
    // keeps up look slow, and one huge concatenation helps nobody.
    if (this.queuedBytes + chunk.length > Math.min(cap / 2, EARLY_FLUSH_BYTES)) this.flush();
    if (this.queuedBytes + chunk.length + this.sink.writableLength > cap) {
      this.closed = true;
      this.chunks = [];
      this.queuedBytes = 0;
      this.owner.overflowed();
      return false;
    }
    if (!lazy && !this.scheduled) {
      this.scheduled = true;
      this.flusher.schedule(this);
    } else if (lazy && !this.scheduled && !this.lazyScheduled) {
      this.lazyScheduled = true;
      this.flusher.scheduleLazy(this);
    }
    this.chunks.push(chunk);
    this.queuedBytes += chunk.length;
    return true;
  }

  /**
   * Writes everything queued now as one buffer; used by the flusher and before a deliberate
   * close. `joined` lets the flusher share one concatenation between queues holding the same
   * chunks (every member of a room, after a turn that only carried that room's messages).
   */
  flush(joined?: Joiner): void {
    this.scheduled = false;
    const chunks = this.chunks;
    if (chunks.length === 0) return;
    this.chunks = [];
    const bytes = this.queuedBytes;
    this.queuedBytes = 0;
    if (this.sink.destroyed) return;
    this.flusher.writes += 1;
    // One write per flush: a single buffer goes through the stream without per-chunk
    // bookkeeping, and over TLS it becomes one record instead of one per event.
    this.sink.write(chunks.length === 1 ? chunks[0]! : (joined ?? concat)(chunks, bytes));
  }

  /** The lazy flush: writes what is queued unless a flush this turn is coming anyway. */
  flushLazy(joined: Joiner): void {
    this.lazyScheduled = false;
    if (!this.scheduled) this.flush(joined);
  }

  /**
   * Compression switched on after the hello reply: later flushes write to the sink that
   * compresses. Flush first, so what was queued before goes out as it was.
   */
  setSink(sink: ByteSink): void {
    this.sink = sink;
  }

  /** A new cap (a reload); what is queued stays, a push past the new cap overflows. */
  setCap(bytes: number): void {
    this.capBytes = bytes;
  }

  /** Stops accepting chunks; what is queued can still be flushed. */
  close(): void {
    this.closed = true;
  }

  get bytes(): number {
    return this.queuedBytes + this.sink.writableLength;
  }
}

type Joiner = (chunks: readonly Uint8Array[], bytes: number) => Uint8Array;

const concat: Joiner = (chunks, bytes) => Buffer.concat(chunks, bytes);

/**
 * Concatenates, reusing the previous result when the chunks are the same buffers in the same
 * order (fan-out queues them by reference), so a room's turn is joined once, not per member.
 */
function sharedJoiner(): Joiner {
  let lastChunks: readonly Uint8Array[] = [];
  let lastJoined: Uint8Array | undefined;
  return (chunks, bytes) => {
    if (lastJoined && chunks.length === lastChunks.length && chunks.every((chunk, i) => chunk === lastChunks[i])) return lastJoined;
    lastChunks = chunks;
    lastJoined = Buffer.concat(chunks, bytes);
    return lastJoined;
  };
}

/**
 * Flushes every queue that got data, once per turn, from a single setImmediate. Under load it
 * also paces itself: after a flush that took d ms, the next one waits until 2d ms have passed
 * (capped at MAX_PACING_MS), so flushing takes at most a third of the time, the rest goes to
 * reading and routing, and events pile up into bigger writes. Each socket write costs several
 * microseconds of kernel time however small it is, so at high fan-out this is what keeps the
 * cost per delivery low; when the server is quiet d is tiny and nothing waits.
 */
export class Flusher {
  private dirty: OutboundQueue[] = [];
  private scheduled = false;
  private notBefore = 0;
  private lazy: OutboundQueue[] = [];
  private lazyTimer: NodeJS.Timeout | undefined;
  /** Socket writes so far, counted by the queues (a plain field; read at metrics scrape). */
  writes = 0;

  schedule(queue: OutboundQueue): void {
    this.dirty.push(queue);
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.notBefore - performance.now();
    if (wait >= MIN_PACING_MS) setTimeout(this.run, wait);
    else setImmediate(this.run);
  }

  /** Flushes the queue within LAZY_FLUSH_MS, together with every other lazy queue. */
  scheduleLazy(queue: OutboundQueue): void {
    this.lazy.push(queue);
    if (this.lazyTimer === undefined) {
      this.lazyTimer = setTimeout(this.runLazy, LAZY_FLUSH_MS);
      this.lazyTimer.unref();
    }
  }

  private readonly runLazy = (): void => {
    this.lazyTimer = undefined;
    const lazy = this.lazy;
    this.lazy = [];
    const joined = sharedJoiner();
    for (const queue of lazy) queue.flushLazy(joined);
  };

  private readonly run = (): void => {
    const started = performance.now();
    this.scheduled = false;
    const dirty = this.dirty;
    this.dirty = [];
    const joined = sharedJoiner();
    for (const queue of dirty) queue.flush(joined);
    const now = performance.now();
    this.notBefore = now + Math.min(PACING_FACTOR * (now - started), MAX_PACING_MS);
  };
}

/**
 * The longest a join, part or presence event waits for company before it is written: a quarter
 * second nobody notices, and at most four such writes a second per connection however busy its
 * rooms are. Measured on the connect benchmark (3,000 joins into 50 rooms): written at once 420
 * µs per connect, after 20 ms 395, 100 ms 290, 250 ms 235.
 */
const LAZY_FLUSH_MS = 250;
/** Queued bytes past which a queue writes at once instead of waiting for the flusher. */
const EARLY_FLUSH_BYTES = 256 * 1024;
/** Pauses shorter than a timer tick are not worth a timer: flush on the next turn. */
const MIN_PACING_MS = 1;
/**
 * Pause after a flush, as a multiple of its duration. Measured on the fanout benchmark: 1 gave
 * 12 deliveries per write and 0.59 us per delivery, 2 gave 22 and 0.41 us with lower latency
 * (the load generator reads fewer, bigger chunks), 3 gave 29 but higher latency.
 */
const PACING_FACTOR = 2;
/** The most a flush ever waits for pacing, so added latency stays bounded. */
const MAX_PACING_MS = 10;
