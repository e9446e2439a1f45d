import { decodeFrame, decodeUtf8, ParleyError, type StreamMode } from '@parley/protocol';

/** What a connection hands to its session: a text line, a decoded structured frame, or a decoding error. */
export type Inbound =
  | { kind: 'line'; text: string }
  | { kind: 'frame'; value: Record<string, unknown> }
  | { kind: 'error'; error: ParleyError };

/** Turns one complete frame's bytes into what the command runner takes; never throws. */
export function decodeInbound(mode: StreamMode, bytes: Uint8Array): Inbound {
  try {
    if (mode === 'text') return { kind: 'line', text: decodeUtf8(bytes) };
    return { kind: 'frame', value: decodeFrame(mode, bytes) };
  } catch (error) {
    return { kind: 'error', error: error instanceof ParleyError ? error : new ParleyError('BAD_FRAME') };
  }
}
