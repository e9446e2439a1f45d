import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';
import { DEFLATE_WINDOW_BITS } from '@parley/protocol';
import { Packr } from 'msgpackr';

/**
 * The load generator's side of the wire, kept cheap so the generator is not the bottleneck:
 * frames are written pre-encoded, and what comes back is not decoded but scanned for markers
 * (see markers.ts) or, during setup, for the byte pattern of one reply.
 */
export type BenchTransport = 'tcp' | 'tls' | 'ws';
export type BenchCodec = 'json' | 'msgpack';

export interface Endpoint {
  tcpPort: number;
  tlsPort: number;
  httpPort: number;
}

const packr = new Packr({ useRecords: false });

export function encodeFrame(transport: BenchTransport, codec: BenchCodec, frame: object): Buffer {
  const payload = codec === 'json' ? Buffer.from(JSON.stringify(frame)) : packr.pack(frame);
  if (transport === 'ws') return maskedWsFrame(codec === 'json' ? 1 : 2, payload);
  if (codec === 'json') return Buffer.concat([payload, Buffer.from('\n')]);
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeUInt32BE(payload.length, 0);
  return Buffer.concat([prefix, payload]);
}

/** Client-to-server WebSocket frames must be masked (RFC 6455 §5.3). */
function maskedWsFrame(opcode: 1 | 2, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const lengthBytes = payload.length < 126 ? 0 : payload.length < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + 4);
  header[0] = 0x80 | opcode;
  if (lengthBytes === 0) header[1] = 0x80 | payload.length;
  else if (lengthBytes === 2) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  mask.copy(header, 2 + lengthBytes);
  const masked = Buffer.allocUnsafe(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([header, masked]);
}

/** The bytes that start a successful reply to request `id` (ids stay below 128 in setup). */
function okReplyPattern(codec: BenchCodec, id: number): Buffer {
  if (codec === 'json') return Buffer.from(`{"re":${id},"ok":true`);
  // "re", id, "ok", true: the keys of { re, ok, data } in order (the map header varies).
  return Buffer.from([0xa2, 0x72, 0x65, id, 0xa2, 0x6f, 0x6b, 0xc3]);
}

function failedReplyPattern(codec: BenchCodec): Buffer {
  return codec === 'json' ? Buffer.from('"ok":false') : Buffer.from([0xa2, 0x6f, 0x6b, 0xc2]);
}

/** One client connection of the load generator. */
export class BenchConnection {
  /** Bytes received since the counter was last reset. */
  bytesIn = 0;
  onData: ((chunk: Buffer) => void) | undefined;
  /**
   * With watchRefusals(): replies with ok:false after setup (a refused send never frees its
   * window slot, so a load that stalls says why), and the first one's text.
   */
  refusals = 0;
  firstRefusal: string | undefined;
  private refusedPattern: Buffer | undefined;
  private setupBuffer: Buffer | undefined = Buffer.alloc(0);
  /** After a hello that asked for compression (setup's `compress`): what arrives is inflated first, what is sent deflated. */
  private inflate: InflateRaw | undefined;
  private deflate: DeflateRaw | undefined;
  /** What a setup wait checks again whenever the setup buffer grows. */
  private setupGrew: (() => void) | undefined;

  private constructor(
    readonly socket: Socket,
    readonly transport: BenchTransport,
    readonly codec: BenchCodec,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      // Wire bytes: compressed ones where compression is on.
      this.bytesIn += chunk.length;
      if (this.inflate) this.inflate.write(chunk);
      else this.received(chunk);
    });
    socket.on('error', () => undefined);
    socket.once('close', () => (this.closed = true));
  }

  /** The connection ended (the server closed it, or close() was called). */
  closed = false;

  /** Bytes as sent (inflated where compression is on): into the setup buffer, then to onData. */
  private received(chunk: Buffer): void {
    if (this.setupBuffer) {
      this.setupBuffer = Buffer.concat([this.setupBuffer, chunk]);
      this.setupGrew?.();
    } else {
      if (this.refusedPattern) this.countRefusals(chunk);
      this.onData?.(chunk);
    }
  }

  /** Counts refused replies from now on (one more indexOf per chunk). */
  watchRefusals(): void {
    this.refusedPattern = failedReplyPattern(this.codec);
  }

  private countRefusals(chunk: Buffer): void {
    // A refusal split over two chunks is missed: good enough to tell that sends were refused.
    for (let i = chunk.indexOf(this.refusedPattern!); i >= 0; i = chunk.indexOf(this.refusedPattern!, i + 1)) {
      this.refusals += 1;
      this.firstRefusal ??= chunk.toString('latin1', Math.max(0, i - 40), Math.min(chunk.length, i + 200));
    }
  }

  static async open(endpoint: Endpoint, transport: BenchTransport, codec: BenchCodec): Promise<BenchConnection> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s =
        transport === 'tls'
          ? tlsConnect({ host: '127.0.0.1', port: endpoint.tlsPort, rejectUnauthorized: false }, () => resolve(s))
          : netConnect({ host: '127.0.0.1', port: transport === 'ws' ? endpoint.httpPort : endpoint.tcpPort }, () => resolve(s));
      s.once('error', reject);
    });
    const connection = new BenchConnection(socket, transport, codec);
    if (transport === 'ws') await connection.upgrade();
    return connection;
  }

  private async upgrade(): Promise<void> {
    const key = randomBytes(16).toString('base64');
    this.socket.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await this.waitFor((buffer) => buffer.indexOf('\r\n\r\n') >= 0, 'the WebSocket upgrade');
    const buffer = this.setupBuffer!;
    if (!buffer.subarray(0, 12).toString().includes('101')) throw new Error(`upgrade refused: ${buffer.toString().slice(0, 200)}`);
    this.setupBuffer = buffer.subarray(buffer.indexOf('\r\n\r\n') + 4);
  }

  send(frame: object): void {
    this.write(encodeFrame(this.transport, this.codec, frame));
  }

  write(bytes: Buffer): boolean {
    if (this.deflate) return this.deflate.write(bytes);
    return this.socket.write(bytes);
  }

  /**
   * Sends setup frames (ids 1..n) in one write and waits for the last one's OK reply. With
   * `compress` (JSON over TCP or TLS) the first frame is a hello asking for compression, sent
   * alone: once its reply line is in, the bytes after it are inflated and the rest is sent
   * deflated (docs/protocol.md, "Compression").
   */
  async setup(frames: object[], { timeoutMs = 30_000, compress = false }: { timeoutMs?: number; compress?: boolean } = {}): Promise<void> {
    let first = 0;
    if (compress) {
      if (this.transport === 'ws' || this.codec !== 'json') throw new Error('the load generator compresses JSON over TCP and TLS only');
      this.socket.write(encodeFrame(this.transport, this.codec, { ...frames[0], compress: 'deflate', id: 1 }));
      const ok = okReplyPattern(this.codec, 1);
      await this.waitFor((buffer) => buffer.indexOf(ok) >= 0 && buffer.indexOf(0x0a, buffer.indexOf(ok)) >= 0, 'the hello reply', timeoutMs);
      this.startCompression();
      first = 1;
    }
    this.write(Buffer.concat(frames.slice(first).map((frame, i) => encodeFrame(this.transport, this.codec, { ...frame, id: first + i + 1 }))));
    const ok = okReplyPattern(this.codec, frames.length);
    const failed = failedReplyPattern(this.codec);
    await this.waitFor((buffer) => {
      if (buffer.indexOf(failed) >= 0) throw new Error(`setup refused: ${buffer.toString('latin1').slice(0, 300)}`);
      return buffer.indexOf(ok) >= 0;
    }, 'setup replies', timeoutMs);
    // From here on incoming bytes go to onData unbuffered.
    this.setupBuffer = undefined;
  }

  /** The hello reply said compress (else the server refused, which the benchmark does not expect): both directions deflate from here. */
  private startCompression(): void {
    const buffer = this.setupBuffer!;
    const end = buffer.indexOf(0x0a, buffer.indexOf(okReplyPattern(this.codec, 1))) + 1;
    if (!buffer.subarray(0, end).includes('"compress":"deflate"')) throw new Error(`the server did not agree to compress: ${buffer.toString('latin1', 0, end)}`);
    this.setupBuffer = buffer.subarray(0, end);
    this.inflate = createInflateRaw({ windowBits: DEFLATE_WINDOW_BITS });
    this.inflate.on('data', (out: Buffer) => this.received(out));
    this.deflate = createDeflateRaw({ windowBits: DEFLATE_WINDOW_BITS, flush: constants.Z_SYNC_FLUSH });
    this.deflate.on('data', (out: Buffer) => this.socket.write(out));
    if (end < buffer.length) this.inflate.write(buffer.subarray(end));
  }

  private waitFor(done: (buffer: Buffer) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const check = () => {
        try {
          if (!done(this.setupBuffer ?? Buffer.alloc(0))) return;
        } catch (error) {
          reject(error as Error);
        }
        clearTimeout(timer);
        this.setupGrew = undefined;
        this.socket.off('close', closed);
        resolve();
      };
      const closed = () => {
        clearTimeout(timer);
        reject(new Error(`closed while waiting for ${what}: ${(this.setupBuffer ?? Buffer.alloc(0)).toString('latin1').slice(0, 300)}`));
      };
      this.setupGrew = check;
      this.socket.once('close', closed);
      check();
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Opens `count` connections, at most `concurrency` at a time. */
export async function openMany<T>(count: number, concurrency: number, open: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await open(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}
