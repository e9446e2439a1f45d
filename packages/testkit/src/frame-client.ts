import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import {
  CHANNEL_BINDING_LABEL,
  decodeFrame,
  encodeFrame,
  LengthPrefixFramer,
  LineFramer,
  lengthPrefix,
  type Codec,
  type Reply,
  type ServerEvent,
  type ServerFrame,
} from '@parley/protocol';
import { WebSocket } from 'ws';
import { Signal, waitFor } from './wait.ts';

export type TestTransport = 'tls' | 'tcp' | 'ws';

export interface FrameClientOptions {
  transport: TestTransport;
  codec: Codec;
  port: number;
  host?: string;
  /** Source address for TCP and TLS (e.g. 127.0.0.7), so tests can act as different clients. */
  localAddress?: string;
}

/**
 * A structured-protocol client speaking raw frames, for wire-level tests: `request` sends a
 * command with a fresh id and resolves with its reply; `event` waits for a matching event.
 */
export class FrameClient {
  readonly frames: ServerFrame[] = [];
  private nextId = 1;
  private readonly arrived = new Signal();
  private eventCursor = 0;
  closed = false;
  closeInfo: { code?: number; reason?: string } = {};
  /** RFC 9266 tls-exporter of a TLS connection (what a key proof binds to); undefined otherwise. */
  channelBinding: () => Buffer | undefined = () => undefined;

  private constructor(
    readonly options: FrameClientOptions,
    private readonly writeRaw: (bytes: Uint8Array) => void,
    private readonly destroy: () => void,
  ) {}

  static async connect(options: FrameClientOptions): Promise<FrameClient> {
    const host = options.host ?? '127.0.0.1';
    if (options.transport === 'ws') {
      const ws = new WebSocket(`ws://${host}:${options.port}/ws`);
      ws.binaryType = 'nodebuffer';
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const client = new FrameClient(options, (bytes) => ws.send(bytes, { binary: options.codec === 'msgpack' }), () => ws.terminate());
      ws.on('message', (data: Buffer) => client.received(decodeFrame(options.codec, data) as unknown as ServerFrame));
      ws.on('close', (code, reason) => client.ended({ code, reason: reason.toString() }));
      ws.on('error', () => undefined);
      return client;
    }
    const from = options.localAddress === undefined ? {} : { localAddress: options.localAddress };
    const socket: Socket = await new Promise((resolve, reject) => {
      const s =
        options.transport === 'tls'
          ? tlsConnect({ host, port: options.port, rejectUnauthorized: false, ...from }, () => resolve(s))
          : netConnect({ host, port: options.port, ...from }, () => resolve(s));
      s.once('error', reject);
    });
    const client = new FrameClient(options, (bytes) => socket.write(bytes), () => socket.destroy());
    if (socket instanceof TLSSocket) client.channelBinding = () => (socket as TLSSocket).exportKeyingMaterial(32, CHANNEL_BINDING_LABEL, Buffer.alloc(0));
    const framer = options.codec === 'json' ? new LineFramer(16 * 1024 * 1024) : new LengthPrefixFramer(16 * 1024 * 1024);
    socket.on('data', (chunk: Buffer) => {
      for (const out of framer.push(chunk)) {
        if (out.kind === 'frame') client.received(decodeFrame(options.codec, out.bytes) as unknown as ServerFrame);
      }
    });
    socket.on('close', () => client.ended({}));
    socket.on('error', () => undefined);
    return client;
  }

  /** Connects, says hello, and (unless `login` is false) logs in as a guest or with the given command. */
  static async open(options: FrameClientOptions, login?: { cmd: 'guest' | 'login' | 'register'; [key: string]: unknown } | false): Promise<FrameClient> {
    const client = await FrameClient.connect(options);
    await client.ok('hello', { v: 1 });
    if (login !== false) {
      const { cmd, ...args } = login ?? { cmd: 'guest' };
      await client.ok(cmd, args);
    }
    return client;
  }

  private received(frame: ServerFrame): void {
    this.frames.push(frame);
    this.wake();
  }

  private ended(info: { code?: number; reason?: string }): void {
    this.closed = true;
    this.closeInfo = info;
    this.wake();
  }

  private wake(): void {
    this.arrived.notify();
  }

  /** Sends an arbitrary object as one frame (for bad-input tests). */
  sendFrame(frame: object): void {
    const payload = encodeFrame(this.options.codec, frame);
    this.sendPayload(payload);
  }

  /** Sends bytes as one frame payload (framed per transport) — or raw bytes with `raw`. */
  sendPayload(payload: Uint8Array, raw = false): void {
    if (raw || this.options.transport === 'ws') return this.writeRaw(payload);
    if (this.options.codec === 'json') return this.writeRaw(Buffer.concat([payload, Buffer.from('\n')]));
    this.writeRaw(lengthPrefix(payload));
  }

  async request(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 5000): Promise<Reply> {
    const id = this.nextId++;
    this.sendFrame({ cmd, id, ...args });
    const frame = await this.waitFor((f) => 're' in f && f.re === id, { timeoutMs, what: `reply to ${cmd}#${id}` });
    return frame as Reply;
  }

  /** A request that must succeed; returns its data. */
  async ok(cmd: string, args: Record<string, unknown> = {}, timeoutMs?: number): Promise<Record<string, unknown>> {
    const reply = await this.request(cmd, args, timeoutMs);
    if (!reply.ok) throw new Error(`${cmd} failed: ${JSON.stringify(reply.error)}`);
    return reply.data as Record<string, unknown>;
  }

  /** The next not-yet-consumed event satisfying `match`. */
  async event<TEvent extends ServerEvent = ServerEvent>(match: (event: ServerEvent) => boolean, timeoutMs = 5000): Promise<TEvent> {
    return (await this.waitFor((f) => 'ev' in f && match(f), { timeoutMs, what: 'event', consume: true })) as TEvent;
  }

  events(): ServerEvent[] {
    return this.frames.filter((f): f is ServerEvent => 'ev' in f);
  }

  private async waitFor(match: (frame: ServerFrame) => boolean, { timeoutMs, what, consume = false }: { timeoutMs: number; what: string; consume?: boolean }): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const start = consume ? this.eventCursor : 0;
      for (let i = start; i < this.frames.length; i++) {
        const frame = this.frames[i]!;
        if (match(frame)) {
          if (consume) this.eventCursor = i + 1;
          return frame;
        }
      }
      if (this.closed) throw new Error(`closed while waiting for ${what}; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await this.arrived.wait(left);
    }
  }

  /** Resolves when the server closes the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    await waitFor(() => this.closed, 'the server to close the connection', timeoutMs);
  }

  close(): void {
    this.destroy();
  }
}
