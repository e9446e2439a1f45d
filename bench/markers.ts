/**
 * Each benchmark message carries a marker `~SSSS:IIIIIIII~` (sender, message index) at the start
 * of its text. Receivers find markers with Buffer.indexOf instead of decoding frames, which keeps
 * the load generator cheap at millions of deliveries per second. The marker is plain ASCII in
 * JSON, MessagePack and WebSocket frames alike; the fixed shape rejects a stray 0x7e byte in a
 * length or sequence number.
 */
export const MARKER_LENGTH = 15;
const TILDE = 0x7e;
const COLON = 0x3a;

export function marker(sender: number, index: number): string {
  return `~${String(sender).padStart(4, '0')}:${String(index).padStart(8, '0')}~`;
}

/** A message text of exactly `bytes` bytes that starts with the marker. */
export function markedText(sender: number, index: number, bytes: number): string {
  const head = marker(sender, index);
  return head + 'x'.repeat(Math.max(0, bytes - head.length));
}

const isDigit = (byte: number | undefined) => byte !== undefined && byte >= 0x30 && byte <= 0x39;

function parseAt(buffer: Buffer, i: number): number {
  if (buffer[i + 14] !== TILDE || buffer[i + 5] !== COLON) return -1;
  let sender = 0;
  for (let k = 1; k < 5; k++) {
    const byte = buffer[i + k];
    if (!isDigit(byte)) return -1;
    sender = sender * 10 + (byte! - 0x30);
  }
  let index = 0;
  for (let k = 6; k < 14; k++) {
    const byte = buffer[i + k];
    if (!isDigit(byte)) return -1;
    index = index * 10 + (byte! - 0x30);
  }
  return sender * 1e8 + index;
}

/**
 * Feeds a byte stream chunk by chunk and reports every marker once, including markers split
 * across chunks: bytes from a possible marker start that the chunk cut off are carried over.
 */
export class MarkerScanner {
  private carry: Buffer | undefined;

  constructor(private readonly found: (sender: number, index: number) => void) {}

  push(chunk: Buffer): void {
    // Copies only when a marker straddled the previous chunk boundary.
    const buffer = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = this.scan(buffer);
    this.carry = cut < buffer.length ? Buffer.from(buffer.subarray(cut)) : undefined;
  }

  /** Reports complete markers; returns where an incomplete one starts, or the buffer's length. */
  private scan(buffer: Buffer): number {
    let i = buffer.indexOf(TILDE);
    while (i >= 0) {
      if (i + MARKER_LENGTH > buffer.length) return i;
      const id = parseAt(buffer, i);
      if (id >= 0) {
        this.found(Math.floor(id / 1e8), id % 1e8);
        i = buffer.indexOf(TILDE, i + MARKER_LENGTH);
      } else {
        i = buffer.indexOf(TILDE, i + 1);
      }
    }
    return buffer.length;
  }
}

/** Latency histogram in 10 µs buckets up to 10 s; percentiles are bucket upper bounds. */
export class LatencyHistogram {
  private readonly buckets = new Float64Array(1_000_001);
  count = 0;

  record(ms: number): void {
    const bucket = Math.min(this.buckets.length - 1, Math.max(0, Math.ceil(ms * 100)));
    this.buckets[bucket]! += 1;
    this.count += 1;
  }

  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return i / 100;
    }
    return Number.NaN;
  }

  reset(): void {
    this.buckets.fill(0);
    this.count = 0;
  }
}
