/**
 * Byte-stream framers, written as explicit state machines over Uint8Array so the same code runs
 * in Node and in the browser. Each `push` returns the complete frames found so far; a rejected
 * frame is reported in place with its error and whether the stream is still usable.
 */
export type FramerOutput =
  /**
   * `end`: the offset in the chunk just pushed right after this frame's last byte. A stream
   * whose encoding changes after a frame (compression switched on at `hello`, docs/protocol.md)
   * goes on from there with a new framer; the outputs after that frame are then not meant.
   */
  | { kind: 'frame'; bytes: Uint8Array; end: number }
  | { kind: 'error'; error: 'FRAME_TOO_LARGE' | 'BAD_FRAME'; fatal: boolean };

const LF = 0x0a;
const CR = 0x0d;

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * LF-terminated lines (CRLF accepted). A line longer than `maxBytes` is reported once and then
 * skipped up to its LF, so a human who pastes too much keeps the connection.
 */
export class LineFramer {
  private parts: Uint8Array[] = [];
  private size = 0;
  private discarding = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Uint8Array): FramerOutput[] {
    const out: FramerOutput[] = [];
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      const end = lf === -1 ? chunk.length : lf;
      if (this.discarding) {
        if (lf !== -1) this.discarding = false;
      } else if (this.size + (end - start) > this.maxBytes + 1) {
        // +1 leaves room for a CR that is stripped below.
        out.push({ kind: 'error', error: 'FRAME_TOO_LARGE', fatal: false });
        this.parts = [];
        this.size = 0;
        this.discarding = lf === -1;
      } else {
        this.parts.push(chunk.subarray(start, end));
        this.size += end - start;
        if (lf !== -1) out.push(this.takeLine(lf + 1));
      }
      if (lf === -1) break;
      start = lf + 1;
    }
    return out;
  }

  private takeLine(end: number): FramerOutput {
    let line = concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > this.maxBytes) return { kind: 'error', error: 'FRAME_TOO_LARGE', fatal: false };
    return { kind: 'frame', bytes: line, end };
  }

  /** Bytes held for an unfinished line (used for memory accounting). */
  get buffered(): number {
    return this.size;
  }
}

/**
 * 4-byte big-endian length, then that many payload bytes. An oversize or zero length means the
 * peer is not speaking this framing (or is hostile); the stream cannot be resynchronised, so
 * those errors are fatal.
 */
export class LengthPrefixFramer {
  private parts: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Uint8Array): FramerOutput[] {
    const out: FramerOutput[] = [];
    // Bytes held from earlier chunks, and those cut into frames so far: a frame's `end` in this chunk.
    const heldBefore = this.size;
    let consumed = 0;
    this.parts.push(chunk);
    this.size += chunk.length;
    for (;;) {
      if (this.size < 4) break;
      const head = this.peek(4);
      const length = ((head[0]! << 24) >>> 0) + (head[1]! << 16) + (head[2]! << 8) + head[3]!;
      if (length === 0 || length > this.maxBytes) {
        out.push({ kind: 'error', error: length === 0 ? 'BAD_FRAME' : 'FRAME_TOO_LARGE', fatal: true });
        this.parts = [];
        this.size = 0;
        break;
      }
      if (this.size < 4 + length) break;
      const all = concat(this.parts, this.size);
      consumed += 4 + length;
      out.push({ kind: 'frame', bytes: all.subarray(4, 4 + length), end: consumed - heldBefore });
      const rest = all.subarray(4 + length);
      this.parts = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
    }
    return out;
  }

  private peek(n: number): Uint8Array {
    const first = this.parts[0]!;
    if (first.length >= n) return first;
    const joined = concat(this.parts, this.size);
    this.parts = [joined];
    return joined;
  }

  get buffered(): number {
    return this.size;
  }
}

export function lengthPrefix(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer, out.byteOffset, 4).setUint32(0, payload.length);
  out.set(payload, 4);
  return out;
}

export type StreamMode = 'text' | 'json' | 'msgpack';

/**
 * The first meaningful byte of a TCP stream picks its mode: `{` starts JSON lines, 0x00 (the high
 * byte of a length prefix below 16 MiB) starts MessagePack, anything else is the text line mode.
 * Returns undefined while only whitespace has arrived.
 */
export function detectStreamMode(chunk: Uint8Array): StreamMode | undefined {
  for (const byte of chunk) {
    if (byte === 0x20 || byte === 0x09 || byte === CR || byte === LF) continue;
    if (byte === 0x7b) return 'json';
    if (byte === 0x00) return 'msgpack';
    return 'text';
  }
  return undefined;
}
