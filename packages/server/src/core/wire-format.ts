import { encodeFrame, lengthPrefix, type ServerFrame, type StreamMode } from '@parley/protocol';

/**
 * How bytes leave a connection: the mode (text lines, JSON, MessagePack) and the framing (a TCP
 * byte stream, or WebSocket frames). Server-to-client WebSocket frames are unmasked, so a WS
 * frame is the same bytes for every recipient and can be encoded once and shared.
 */
export const WIRE_FORMATS = ['stream-text', 'stream-json', 'stream-msgpack', 'ws-text', 'ws-json', 'ws-msgpack'] as const;
export type WireFormat = (typeof WIRE_FORMATS)[number];

export function wireFormat(mode: StreamMode, framing: 'stream' | 'ws'): WireFormat {
  return `${framing}-${mode}`;
}

export function formatIndex(format: WireFormat): number {
  return WIRE_FORMATS.indexOf(format);
}

const NEWLINE = 0x0a;

/** RFC 6455 §5.2 header for a final, unmasked frame. */
function wsHeader(opcode: 1 | 2, length: number): Buffer {
  if (length < 126) return Buffer.from([0x80 | opcode, length]);
  if (length < 65536) {
    const header = Buffer.allocUnsafe(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
    return header;
  }
  const header = Buffer.allocUnsafe(10);
  header[0] = 0x80 | opcode;
  header[1] = 127;
  header.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  header.writeUInt32BE(length >>> 0, 6);
  return header;
}

/**
 * The frames frameBytes built for a `ws-*` format (one or several back to back), undone: each
 * payload and whether it is binary. A compressing WebSocket sends them again as messages of
 * its own (ws-connection.ts).
 */
export function eachWsPayload(frames: Uint8Array, each: (payload: Uint8Array, binary: boolean) => void): void {
  let at = 0;
  while (at + 2 <= frames.length) {
    const binary = (frames[at]! & 0x0f) === 2;
    let length = frames[at + 1]!;
    let header = 2;
    if (length === 126) {
      length = (frames[at + 2]! << 8) | frames[at + 3]!;
      header = 4;
    } else if (length === 127) {
      const high = ((frames[at + 2]! << 24) | (frames[at + 3]! << 16) | (frames[at + 4]! << 8) | frames[at + 5]!) >>> 0;
      const low = ((frames[at + 6]! << 24) | (frames[at + 7]! << 16) | (frames[at + 8]! << 8) | frames[at + 9]!) >>> 0;
      length = high * 2 ** 32 + low;
      header = 10;
    }
    each(frames.subarray(at + header, at + header + length), binary);
    at += header + length;
  }
}

/** Frames an already encoded payload (text line without LF, JSON or MessagePack bytes). */
export function frameBytes(format: WireFormat, payload: Uint8Array): Buffer {
  switch (format) {
    case 'stream-text':
    case 'stream-json': {
      const out = Buffer.allocUnsafe(payload.length + 1);
      out.set(payload, 0);
      out[payload.length] = NEWLINE;
      return out;
    }
    case 'stream-msgpack':
      return Buffer.from(lengthPrefix(payload).buffer);
    case 'ws-text':
    case 'ws-json':
      return Buffer.concat([wsHeader(1, payload.length), payload]);
    case 'ws-msgpack':
      return Buffer.concat([wsHeader(2, payload.length), payload]);
  }
}

/** Encodes a structured frame for a structured format; text formats take pre-rendered lines. */
export function encodeStructured(format: WireFormat, frame: ServerFrame): Buffer {
  const codec = format.endsWith('msgpack') ? 'msgpack' : 'json';
  return frameBytes(format, encodeFrame(codec, frame));
}

export function isTextFormat(format: WireFormat): boolean {
  return format.endsWith('-text');
}
