import { Packr, Unpackr } from 'msgpackr';
import type { BusPayload } from './bus.ts';

/**
 * What a payload looks like between nodes: MessagePack of `{ from, payload }`. Records and
 * structures are off, so every frame decodes on its own, whatever the receiver saw before.
 */
export interface WireFrame {
  from: string;
  payload: BusPayload;
}

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

/** Throws for what MessagePack cannot hold (a BigInt over 64 bits, say): callers count it. */
export function encodeFrame(frame: WireFrame): Uint8Array {
  return packr.pack(frame);
}

/** The frame in `bytes`, or undefined when it is not one (garbage, wrong shape). */
export function decodeFrame(bytes: Uint8Array): WireFrame | undefined {
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || typeof value.from !== 'string' || !isPayload(value.payload)) return undefined;
  return { from: value.from, payload: dropUndefined(value.payload) };
}

/**
 * Removes keys whose value is undefined, in place, through plain objects and arrays: what a JSON
 * round trip does, so a receiver sees an absent optional field as absent (`'cmid' in message`
 * is false), as the store hands it out. MessagePack would otherwise keep `{ cmid: undefined }`.
 */
export function dropUndefined<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const item of value) dropUndefined(item);
  } else if (isRecord(value)) {
    for (const key of Object.keys(value)) {
      const field = value[key];
      if (field === undefined) delete value[key];
      else if (typeof field === 'object' && field !== null) dropUndefined(field);
    }
  }
  return value;
}

function isPayload(value: unknown): value is BusPayload {
  if (!isRecord(value) || !optionalString(value.origin)) return false;
  if (value.t === 'event') return typeof value.kind === 'string' && 'data' in value;
  if (value.t !== 'message' || typeof value.epoch !== 'string') return false;
  const m = value.message;
  return (
    isRecord(m) &&
    typeof m.conv === 'string' &&
    Number.isSafeInteger(m.seq) &&
    (m.seq as number) > 0 &&
    typeof m.senderId === 'string' &&
    typeof m.senderName === 'string' &&
    typeof m.target === 'string' &&
    typeof m.text === 'string' &&
    typeof m.createdAt === 'number' &&
    optionalString(m.cmid) &&
    optionalString(m.kind)
  );
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
