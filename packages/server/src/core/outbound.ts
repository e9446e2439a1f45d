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

  /** Writes everything queued now; used by the flusher and before a deliberate close. */
  flush(): void {
    const chunks = this.chunks;
    if (chunks.length === 0) return;
    this.chunks = [];
    this.queuedBytes = 0;
    if (this.sink.destroyed) return;
    if (chunks.length === 1) {
      this.sink.write(chunks[0]!);
      return;
    }
    this.sink.cork();
    for (const chunk of chunks) this.sink.write(chunk);
    this.sink.uncork();
  }

  /** Stops accepting chunks; what is queued can still be flushed. */
  close(): void {
    this.closed = true;
  }

  get bytes(): number {
    return this.queuedBytes + this.sink.writableLength;
  }
}

/** Flushes every queue that got data during this turn, once, from a single setImmediate. */
export class Flusher {
  private dirty: OutboundQueue[] = [];
  private scheduled = false;

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
    for (const queue of dirty) queue.flush();
  };
}
