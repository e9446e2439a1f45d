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

  constructor(readonly event: ServerEvent) {}

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

/** What a queue writes to: net.Socket and tls.TLSSocket both fit. */
export interface ByteSink {
  write(chunk: Uint8Array): boolean;
  cork(): void;
  uncork(): void;
  readonly writableLength: number;
  readonly destroyed: boolean;
}

/**
 * Per-connection outbound queue with a byte cap. Chunks wait until the end of the event-loop
 * turn, then each socket gets one corked burst (a single writev), however many events the turn
 * produced for it. Bytes already handed to the socket but not yet sent count against the cap,
 * so a reader that stalls cannot grow the server's memory without bound.
 */
export class OutboundQueue {
  private chunks: Uint8Array[] = [];
  private queuedBytes = 0;
  private closed = false;

  constructor(
    private readonly sink: ByteSink,
    private readonly capBytes: number,
    private readonly onOverflow: () => void,
    private readonly flusher: Flusher,
  ) {}

  /** Returns false when the chunk was refused (queue closed or overflowing). */
  push(chunk: Uint8Array): boolean {
    if (this.closed) return false;
    if (this.queuedBytes + chunk.length + this.sink.writableLength > this.capBytes) {
      this.closed = true;
      this.chunks = [];
      this.queuedBytes = 0;
      this.onOverflow();
      return false;
    }
    if (this.chunks.length === 0) this.flusher.schedule(this);
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
    const chunks = this.chunks;
    if (chunks.length === 0) return;
    this.chunks = [];
    const bytes = this.queuedBytes;
    this.queuedBytes = 0;
    if (this.sink.destroyed) return;
    // One write per turn: a single buffer goes through the stream without per-chunk
    // bookkeeping, and over TLS it becomes one record instead of one per event.
    this.sink.write(chunks.length === 1 ? chunks[0]! : (joined ?? concat)(chunks, bytes));
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

/** Flushes every queue that got data during this turn, once, from a single setImmediate. */
export class Flusher {
  private dirty: OutboundQueue[] = [];
  private scheduled = false;
  /** Queues flushed so far: one socket write each (a plain field; read at metrics scrape). */
  writes = 0;

  schedule(queue: OutboundQueue): void {
    this.dirty.push(queue);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const dirty = this.dirty;
    this.dirty = [];
    this.writes += dirty.length;
    const joined = sharedJoiner();
    for (const queue of dirty) queue.flush(joined);
  };
}
