import type { Socket } from 'node:net';
import { ParleyError } from '@parley/protocol';
import type { WebSocket } from 'ws';
import { decodeInbound } from '../core/inbound.ts';
import type { ByteSink } from '../core/outbound.ts';
import type { Session, SessionTransport } from '../core/session.ts';
import { eachWsPayload } from '../core/wire-format.ts';

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
 * the upgraded socket, so fan-out shares one buffer across WebSocket clients too. A class, not
 * an object of closures: idle connections share its methods.
 */
class WsTransport implements SessionTransport {
  readonly kind = 'ws';
  readonly remoteAddress: string;
  /** The socket, until compression puts a MessageDeflateSink in front of it. */
  sink: ByteSink;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Socket,
  ) {
    this.sink = socket;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
  }

  end(error: ParleyError | undefined): void {
    // The reason travels in the close frame too: "<code> <NAME>" fits the 123-byte limit.
    this.ws.close(closeCode(error), error ? `${error.code} ${error.errorName}` : 'bye');
    const ws = this.ws;
    setTimeout(() => ws.terminate(), 2000).unref();
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  /** permessage-deflate is agreed in the handshake (RFC 7692), before hello: hello only reports it. */
  canCompress(): boolean {
    return this.ws.extensions.includes('permessage-deflate');
  }

  compress(): void {
    this.sink = new MessageDeflateSink(this.ws, this.socket);
  }
}

/**
 * A compressed WebSocket's sink: the frames the queue writes (shared with uncompressed
 * connections) become messages again, sent through ws, which compresses each one with this
 * connection's deflate context (RFC 7692 §7.2.1, with the window and context takeover the
 * handshake settled) and keeps them in order with its pings and close frame.
 */
class MessageDeflateSink implements ByteSink {
  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Socket,
  ) {}

  write(chunk: Uint8Array): boolean {
    eachWsPayload(chunk, (payload, binary) => this.ws.send(payload, { binary, compress: true, fin: true }));
    return true;
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  /** ws counts what waits for its compressor too: the outbound cap holds for a compressed reader. */
  get writableLength(): number {
    return this.ws.bufferedAmount;
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  once(event: 'drain' | 'close', listener: () => void): unknown {
    return this.socket.once(event, listener);
  }

  off(event: 'drain' | 'close', listener: () => void): unknown {
    return this.socket.off(event, listener);
  }
}

export function wsTransport(ws: WebSocket, socket: Socket): SessionTransport {
  return new WsTransport(ws, socket);
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
