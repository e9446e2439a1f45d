import { Packr, Unpackr } from 'msgpackr';
import { ParleyError } from './errors.ts';

/**
 * JSON and MessagePack codecs for protocol frames. Records/structured-clone extensions stay off:
 * frames must be plain MessagePack maps any client library can read.
 */
const packr = new Packr({ useRecords: false, moreTypes: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, moreTypes: false });
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export type Codec = 'json' | 'msgpack';

function requireObject(value: unknown): Record<string, unknown> {
  // Only a plain map is a frame: decoders also yield arrays, Uint8Array, Date and the like.
  const proto = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new ParleyError('BAD_FRAME', 'A frame must be an object like {"cmd":"hello","v":1}');
  }
  return value as Record<string, unknown>;
}

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (cause) {
    throw new ParleyError('BAD_FRAME', 'Invalid UTF-8', { cause });
  }
}

export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export function decodeFrame(codec: Codec, bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = codec === 'json' ? JSON.parse(decodeUtf8(bytes)) : unpackr.unpack(bytes);
  } catch (cause) {
    if (cause instanceof ParleyError) throw cause;
    throw new ParleyError('BAD_FRAME', codec === 'json' ? 'Malformed JSON' : 'Malformed MessagePack', { cause });
  }
  return requireObject(value);
}

export function encodeFrame(codec: Codec, frame: object): Uint8Array {
  return codec === 'json' ? utf8Encoder.encode(JSON.stringify(frame)) : packr.pack(frame);
}
