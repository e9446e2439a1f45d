import { decodeFrame, decodeUtf8, ParleyError, type StreamMode } from '@parley/protocol';
import type { Inbound } from '../commands/run-command.ts';

/** Turns one complete frame's bytes into what the command runner takes; never throws. */
export function decodeInbound(mode: StreamMode, bytes: Uint8Array): Inbound {
  try {
    if (mode === 'text') return { kind: 'line', text: decodeUtf8(bytes) };
    return { kind: 'frame', value: decodeFrame(mode, bytes) };
  } catch (error) {
    return { kind: 'error', error: error instanceof ParleyError ? error : new ParleyError('BAD_FRAME') };
  }
}
