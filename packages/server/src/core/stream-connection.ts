import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { CHANNEL_BINDING_LABEL, detectStreamMode, LengthPrefixFramer, LineFramer, ParleyError } from '@parley/protocol';
import { decodeInbound } from './inbound.ts';
import type { Session, SessionTransport, TransportKind } from './session.ts';

/** Grace period for a closing socket to flush before it is destroyed. */
const END_GRACE_MS = 2000;

/** A class, not an object of closures: ten thousand idle connections share its methods. */
class StreamTransport implements SessionTransport {
  readonly remoteAddress: string;

  constructor(
    readonly sink: Socket,
    readonly kind: TransportKind,
  ) {
    this.remoteAddress = sink.remoteAddress ?? 'unknown';
  }

  end(): void {
    this.sink.end();
    const socket = this.sink;
    setTimeout(() => socket.destroy(), END_GRACE_MS).unref();
  }

  pause(): void {
    this.sink.pause();
  }

  channelBinding(): Buffer | undefined {
    return this.sink instanceof TLSSocket ? this.sink.exportKeyingMaterial(32, CHANNEL_BINDING_LABEL, Buffer.alloc(0)) : undefined;
  }

  resume(): void {
    this.sink.resume();
  }
}

export function streamTransport(socket: Socket, kind: TransportKind): SessionTransport {
  return new StreamTransport(socket, kind);
}

/**
 * Reads a TCP or TLS byte stream into a session: the first meaningful byte picks text lines,
 * JSON lines or length-prefixed MessagePack; the framer cuts frames; each frame goes to the
 * session's command queue. A peer that half-closes still gets the replies to what it sent.
 */
function firstNonBlank(chunk: Buffer): number {
  let i = 0;
  while (i < chunk.length && (chunk[i] === 0x20 || chunk[i] === 0x09 || chunk[i] === 0x0d || chunk[i] === 0x0a)) i++;
  return i;
}

/** What a stream socket's listeners need, kept on the socket itself (see attachStream). */
interface StreamReader {
  session: Session;
  framer: LineFramer | LengthPrefixFramer | undefined;
  maxFrameBytes: number;
}

const READER = Symbol('parley.streamReader');
type ReadingSocket = Socket & { [READER]: StreamReader };

/**
 * The listeners are shared functions that find their state on `this` (the emitting socket):
 * per-socket closures would cost an idle connection several hundred bytes.
 */
function onData(this: ReadingSocket, chunk: Buffer): void {
  const reader = this[READER];
  const { session, maxFrameBytes } = reader;
  session.heardFrom();
  if (!reader.framer) {
    const mode = detectStreamMode(chunk);
    if (mode === undefined) return;
    // Leading blank lines pick no mode and are not part of the first frame.
    chunk = chunk.subarray(firstNonBlank(chunk));
    session.setMode(mode, 'stream');
    reader.framer = mode === 'msgpack' ? new LengthPrefixFramer(maxFrameBytes) : new LineFramer(maxFrameBytes);
  }
  for (const out of reader.framer.push(chunk)) {
    if (out.kind === 'frame') {
      session.receive(decodeInbound(session.mode!, out.bytes));
    } else if (out.fatal) {
      session.close(out.error, 'Framing lost: bad length prefix');
      return;
    } else {
      const max = `Frames are at most ${maxFrameBytes} bytes; this one was dropped`;
      session.receive({ kind: 'error', error: new ParleyError(out.error, max) });
    }
  }
}

function onEnd(this: ReadingSocket): void {
  const { session } = this[READER];
  void session.idle().then(() => session.close('eof'));
}

function onGone(this: ReadingSocket): void {
  this[READER].session.close('eof');
}

export function attachStream(socket: Socket, session: Session, maxFrameBytes: number): void {
  (socket as ReadingSocket)[READER] = { session, framer: undefined, maxFrameBytes };
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', onGone);
  socket.on('close', onGone);
}
