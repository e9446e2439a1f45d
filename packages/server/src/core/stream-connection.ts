import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { constants, createInflateRaw, type InflateRaw } from 'node:zlib';
import { CHANNEL_BINDING_LABEL, DEFLATE_WINDOW_BITS, detectStreamMode, LengthPrefixFramer, LineFramer, ParleyError, type StreamMode } from '@parley/protocol';
import { DeflateSink } from './deflate-sink.ts';
import { decodeInbound, type Inbound } from './inbound.ts';
import type { ByteSink } from './outbound.ts';
import type { Session, SessionTransport, TransportKind } from './session.ts';

/** Grace period for a closing socket to flush before it is destroyed. */
const END_GRACE_MS = 2000;

/** A class, not an object of closures: ten thousand idle connections share its methods. */
class StreamTransport implements SessionTransport {
  readonly remoteAddress: string;
  /** The socket, until compression puts a DeflateSink over it. */
  sink: ByteSink;

  constructor(
    readonly socket: Socket,
    readonly kind: TransportKind,
  ) {
    this.sink = socket;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
  }

  end(): void {
    if (this.sink instanceof DeflateSink) this.sink.end();
    else this.socket.end();
    const socket = this.socket;
    setTimeout(() => socket.destroy(), END_GRACE_MS).unref();
  }

  pause(): void {
    this.socket.pause();
  }

  channelBinding(): Buffer | undefined {
    return this.socket instanceof TLSSocket ? this.socket.exportKeyingMaterial(32, CHANNEL_BINDING_LABEL, Buffer.alloc(0)) : undefined;
  }

  resume(): void {
    this.socket.resume();
  }

  canCompress(): boolean {
    return true;
  }

  compress(): void {
    this.sink = new DeflateSink(this.socket);
    startInflating(this.socket as ReadingSocket);
  }
}

export function streamTransport(socket: Socket, kind: TransportKind): SessionTransport {
  return new StreamTransport(socket, kind);
}

/**
 * Reads a TCP or TLS byte stream into a session: the first meaningful byte picks text lines,
 * JSON lines or length-prefixed MessagePack; the framer cuts frames; each frame goes to the
 * session's command queue. A peer that half-closes still gets the replies to what it sent. A
 * `hello` that switches compression on makes the rest of the stream a deflate stream, read
 * through an inflater into a new framer (docs/protocol.md, "Compression").
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
  /** Bytes read after a `hello` that asked for compression, waiting for its reply (see holdAfter). */
  held: Buffer[] | undefined;
  /** Once compression is on: what the socket reads goes through it to the framer. */
  inflate: InflateRaw | undefined;
}

const READER = Symbol('parley.streamReader');
type ReadingSocket = Socket & { [READER]: StreamReader };

function newFramer(mode: StreamMode, maxFrameBytes: number): LineFramer | LengthPrefixFramer {
  return mode === 'msgpack' ? new LengthPrefixFramer(maxFrameBytes) : new LineFramer(maxFrameBytes);
}

function asksForCompression(inbound: Inbound): boolean {
  return inbound.kind === 'frame' && inbound.value.cmd === 'hello' && inbound.value.compress === 'deflate';
}

/**
 * The listeners are shared functions that find their state on `this` (the emitting socket):
 * per-socket closures would cost an idle connection several hundred bytes.
 */
function onData(this: ReadingSocket, chunk: Buffer): void {
  const reader = this[READER];
  reader.session.heardFrom();
  if (reader.held) hold(reader, chunk);
  else if (!reader.inflate) readFrames(reader, chunk);
  else if (!reader.inflate.write(chunk)) {
    // The inflater is behind: stop reading until it catches up (unless the session holds reading paused).
    this.pause();
    reader.inflate.once('drain', () => reader.session.readingPaused || this.resume());
  }
}

/** Cuts frames from the bytes read (inflated, once compression is on) and hands them to the session. */
function readFrames(reader: StreamReader, chunk: Buffer): void {
  const { session, maxFrameBytes } = reader;
  if (!reader.framer) {
    const mode = detectStreamMode(chunk);
    if (mode === undefined) return;
    // Leading blank lines pick no mode and are not part of the first frame.
    chunk = chunk.subarray(firstNonBlank(chunk));
    session.setMode(mode, 'stream');
    reader.framer = newFramer(mode, maxFrameBytes);
  }
  for (const out of reader.framer.push(chunk)) {
    if (out.kind === 'frame') {
      const inbound = decodeInbound(session.mode!, out.bytes);
      session.receive(inbound);
      if (!reader.inflate && asksForCompression(inbound)) return holdAfter(reader, chunk.subarray(out.end));
    } else if (out.fatal || reader.inflate) {
      // Compressed, an oversize frame ends the connection: inflating on to find where it ends
      // is the work a decompression bomb asks for.
      reader.inflate?.destroy();
      session.close(out.error, out.fatal ? 'Framing lost: bad length prefix' : `Frames are at most ${maxFrameBytes} bytes, inflated`);
      return;
    } else {
      const max = `Frames are at most ${maxFrameBytes} bytes; this one was dropped`;
      session.receive({ kind: 'error', error: new ParleyError(out.error, max) });
    }
  }
}

/**
 * The bytes after a `hello` that asks for compression are compressed only if its reply says
 * so: they wait, unread, until that hello has run (its reply written, compression on or not),
 * then go to the inflater or the framer. The framer that cut the hello may have cut into
 * them already, so a new one reads them. A client sends nothing after such a hello until it
 * has the reply (docs/protocol.md), so little ever waits here, and a frame's worth at most.
 */
function holdAfter(reader: StreamReader, rest: Buffer): void {
  reader.held = [];
  reader.framer = newFramer(reader.session.mode!, reader.maxFrameBytes);
  hold(reader, rest);
  void reader.session.idle().then(() => release(reader));
}

function hold(reader: StreamReader, chunk: Buffer): void {
  const held = reader.held!;
  if (reader.session.closed) return;
  if (chunk.length > 0) held.push(chunk);
  if (held.reduce((sum, part) => sum + part.length, 0) > reader.maxFrameBytes) {
    reader.session.close('BAD_FRAME', 'Sent too much after hello {compress} before its reply; wait for the reply, it says whether what follows is compressed');
  }
}

function release(reader: StreamReader): void {
  const held = reader.held ?? [];
  reader.held = undefined;
  for (const [i, chunk] of held.entries()) {
    if (reader.session.closed) return;
    // Another compressing hello among them holds the rest again (TS cannot see readFrames set it).
    const heldAgain = reader.held as Buffer[] | undefined;
    if (heldAgain) return void heldAgain.push(...held.slice(i));
    if (reader.inflate) reader.inflate.write(chunk);
    else readFrames(reader, chunk);
  }
}

/** Compression is on (the hello reply said so): from the held bytes on, the socket carries a deflate stream. */
function startInflating(socket: ReadingSocket): void {
  const reader = socket[READER];
  const inflate = createInflateRaw({ windowBits: DEFLATE_WINDOW_BITS });
  inflate.on('data', (out: Buffer) => readFrames(reader, out));
  inflate.on('error', (error: Error) => reader.session.close('BAD_FRAME', `Not a deflate stream after hello {compress}: ${error.message}`));
  socket.once('close', () => inflate.destroy());
  reader.inflate = inflate;
}

function onEnd(this: ReadingSocket): void {
  const { session, inflate } = this[READER];
  const closeWhenIdle = () => void session.idle().then(() => session.close('eof'));
  // What the inflater still has are commands the peer sent before it half-closed.
  if (inflate && !inflate.destroyed) inflate.flush(constants.Z_SYNC_FLUSH, closeWhenIdle);
  else closeWhenIdle();
}

function onGone(this: ReadingSocket): void {
  this[READER].session.close('eof');
}

export function attachStream(socket: Socket, session: Session, maxFrameBytes: number): void {
  (socket as ReadingSocket)[READER] = { session, framer: undefined, maxFrameBytes, held: undefined, inflate: undefined };
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', onGone);
  socket.on('close', onGone);
}
