import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';
import { decodeFrame, DEFLATE_WINDOW_BITS, encodeFrame, LengthPrefixFramer, lengthPrefix, LineFramer, type Codec, type Reply, type ServerEvent, type ServerFrame } from '@parley/protocol';
import { Signal } from '../src/wait.ts';

/**
 * A structured client at the byte level for the compression tests, written from
 * docs/protocol.md rather than with the SDK: it counts the bytes on its socket, asks for
 * compression with `hello` and, where the reply says so, reads everything after that reply's
 * frame through an inflater and compresses what it sends from then on.
 */
export class DeflateClient {
  readonly frames: ServerFrame[] = [];
  /** Bytes read from and written to the socket (compressed ones where compression is on). */
  bytesIn = 0;
  bytesOut = 0;
  closed = false;
  private framer: LineFramer | LengthPrefixFramer;
  private inflate: InflateRaw | undefined;
  private deflate: DeflateRaw | undefined;
  private nextId = 1;
  private readonly arrived = new Signal();
  private eventCursor = 0;

  private constructor(
    readonly socket: Socket,
    readonly codec: Codec,
  ) {
    this.framer = this.newFramer();
    socket.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      if (this.inflate) this.inflate.write(chunk);
      else this.read(chunk);
    });
    socket.on('close', () => {
      const ended = () => {
        this.closed = true;
        this.arrived.notify();
      };
      // What the inflater still holds arrived before the close (the server's last error event).
      if (this.inflate && !this.inflate.destroyed) this.inflate.flush(constants.Z_SYNC_FLUSH, ended);
      else ended();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number, { tls = false, codec = 'json' }: { tls?: boolean; codec?: Codec } = {}): Promise<DeflateClient> {
    const socket: Socket = await new Promise((resolve, reject) => {
      const s = tls ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(s)) : netConnect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    return new DeflateClient(socket, codec);
  }

  /** Connects, says hello asking for compression (unless `compress` is false) and logs in as a guest. */
  static async open(port: number, options: { tls?: boolean; codec?: Codec; compress?: boolean; name?: string } = {}): Promise<DeflateClient> {
    const client = await DeflateClient.connect(port, options);
    const hello = await client.request('hello', { v: 1, ...(options.compress === false ? {} : { compress: 'deflate' }) });
    if (!hello.ok) throw new Error(`hello failed: ${JSON.stringify(hello.error)}`);
    const guest = await client.request('guest', options.name ? { name: options.name } : {});
    if (!guest.ok) throw new Error(`guest failed: ${JSON.stringify(guest.error)}`);
    return client;
  }

  get compressed(): boolean {
    return this.deflate !== undefined;
  }

  private newFramer(): LineFramer | LengthPrefixFramer {
    return this.codec === 'json' ? new LineFramer(1 << 24) : new LengthPrefixFramer(1 << 24);
  }

  private read(chunk: Buffer): void {
    for (const out of this.framer.push(chunk)) {
      if (out.kind !== 'frame') throw new Error(`undecodable frame from the server: ${out.error}`);
      const frame = decodeFrame(this.codec, out.bytes) as unknown as ServerFrame;
      this.frames.push(frame);
      this.arrived.notify();
      const data = 're' in frame && frame.ok ? (frame.data as { compress?: string; protocol?: number }) : undefined;
      // The hello reply that says compress: what follows it, in this chunk too, is a deflate stream.
      if (!this.inflate && data?.protocol !== undefined && data.compress === 'deflate') {
        this.startCompression(chunk.subarray(out.end));
        return;
      }
    }
  }

  private startCompression(rest: Buffer): void {
    this.framer = this.newFramer();
    this.inflate = createInflateRaw({ windowBits: DEFLATE_WINDOW_BITS });
    this.inflate.on('data', (out: Buffer) => this.read(out));
    this.deflate = createDeflateRaw({ windowBits: DEFLATE_WINDOW_BITS, flush: constants.Z_SYNC_FLUSH });
    this.deflate.on('data', (out: Buffer) => this.writeRaw(out));
    if (rest.length > 0) this.inflate.write(rest);
  }

  /** One frame, compressed once compression is on. */
  sendFrame(frame: object): void {
    this.sendPayload(encodeFrame(this.codec, frame));
  }

  sendPayload(payload: Uint8Array): void {
    const framed = this.codec === 'json' ? Buffer.concat([payload, Buffer.from('\n')]) : Buffer.from(lengthPrefix(payload));
    if (this.deflate) this.deflate.write(framed);
    else this.writeRaw(framed);
  }

  /** Bytes straight onto the socket, past the compressor. */
  writeRaw(bytes: Uint8Array): void {
    this.bytesOut += bytes.length;
    this.socket.write(bytes);
  }

  async request(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 5000): Promise<Reply> {
    const id = this.nextId++;
    this.sendFrame({ cmd, id, ...args });
    return (await this.waitFor((f) => 're' in f && f.re === id, { what: `reply to ${cmd}#${id}`, timeoutMs })) as Reply;
  }

  /** The next not-yet-consumed event satisfying `match`. */
  async event<TEvent extends ServerEvent = ServerEvent>(match: (event: ServerEvent) => boolean, timeoutMs = 5000): Promise<TEvent> {
    return (await this.waitFor((f) => 'ev' in f && match(f), { what: 'event', timeoutMs, consume: true })) as TEvent;
  }

  private async waitFor(match: (frame: ServerFrame) => boolean, { what, timeoutMs, consume = false }: { what: string; timeoutMs: number; consume?: boolean }): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = consume ? this.eventCursor : 0; i < this.frames.length; i++) {
        if (!match(this.frames[i]!)) continue;
        if (consume) this.eventCursor = i + 1;
        return this.frames[i]!;
      }
      const left = deadline - Date.now();
      if (this.closed || left <= 0) throw new Error(`${this.closed ? 'closed' : 'timed out'} waiting for ${what}; frames: ${JSON.stringify(this.frames).slice(0, 1500)}`);
      await this.arrived.wait(left);
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the server to close the connection');
      await this.arrived.wait(deadline - Date.now());
    }
  }

  close(): void {
    this.socket.destroy();
    this.inflate?.destroy();
    this.deflate?.destroy();
  }
}
