import type { Socket } from 'node:net';
import { ParleyError } from '@parley/protocol';
import type { WebSocket } from 'ws';
import { decodeInbound } from '../core/inbound.ts';
import type { Session, SessionTransport } from '../core/session.ts';

/** RFC 6455 close codes: 1008 policy violation, 1009 too big, 1011 server error, 1013 try later. */
function closeCode(error: ParleyError | undefined): number {
  if (!error) return 1000;
  switch (error.errorName) {
    case 'FRAME_TOO_LARGE':
      return 1009;
    case 'INTERNAL':
      return 1011;
    case 'SHUTTING_DOWN':
    case 'TOO_MANY_CONNECTIONS':
      return 1013;
    default:
      return 1008;
  }
}

/**
 * A WebSocket as a session transport. ws reads and parses frames; outbound frames are built by
 * the session's wire format (unmasked, identical for every recipient) and written straight to
 * the upgraded socket, so fan-out shares one buffer across WebSocket clients too.
 */
export function wsTransport(ws: WebSocket, socket: Socket): SessionTransport {
  return {
    kind: 'ws',
    remoteAddress: socket.remoteAddress ?? 'unknown',
    sink: socket,
    end(error) {
      // The reason travels in the close frame too: "<code> <NAME>" fits the 123-byte limit.
      ws.close(closeCode(error), error ? `${error.code} ${error.errorName}` : 'bye');
      setTimeout(() => ws.terminate(), 2000).unref();
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
}

/** Text frames carry JSON (when the first one starts with "{") or text-mode lines; binary frames MessagePack. */
export function attachWebSocket(ws: WebSocket, session: Session): void {
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    session.heardFrom();
    if (!session.mode) session.setMode(isBinary ? 'msgpack' : data[0] === 0x7b ? 'json' : 'text', 'ws');
    const expectBinary = session.mode === 'msgpack';
    if (isBinary !== expectBinary) {
      session.receive({ kind: 'error', error: new ParleyError('BAD_FRAME', `This connection speaks ${session.mode}; send ${expectBinary ? 'binary' : 'text'} frames`) });
      return;
    }
    session.receive(decodeInbound(session.mode!, data));
  });
  ws.on('pong', () => session.heardFrom());
  ws.on('error', () => session.close('eof'));
  ws.on('close', () => session.close('eof'));
}
