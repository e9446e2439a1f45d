import type { ServerFrame } from '@parley/protocol';
import type { ServerUrl } from './url.ts';

/**
 * A connection to a server, already framed and decoded: an async iterable of server frames with
 * `send` and `close`. Iteration ends when the connection closes, for any reason.
 */
export interface Transport extends AsyncIterable<ServerFrame> {
  send(frame: Record<string, unknown>): void;
  close(): void;
  /** RFC 9266 tls-exporter of a TLS stream connection (key login binds to it); absent elsewhere. */
  channelBinding?(): Uint8Array | undefined;
  /**
   * Whether `hello` may ask for compression on this connection (docs/protocol.md,
   * "Compression"): a stream transport switches to deflate streams where the reply says so, a
   * WebSocket has negotiated permessage-deflate or not and the reply only reports it. A
   * transport without it is never asked to compress.
   */
  readonly compresses?: boolean;
}

export interface TransportOptions {
  /** ClientOptions.compress: a WebSocket asks for permessage-deflate in its handshake. */
  compress?: boolean;
}

/** Opens a transport; the SDK is given one, so browser builds carry no Node imports. */
export type TransportFactory = (url: ServerUrl, options?: TransportOptions) => Promise<Transport>;

/** Buffers pushed frames for a single async-iterator consumer. */
export class FrameQueue implements AsyncIterable<ServerFrame> {
  private readonly frames: ServerFrame[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  push(frame: ServerFrame): void {
    this.frames.push(frame);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ServerFrame> {
    for (;;) {
      const frame = this.frames.shift();
      if (frame !== undefined) {
        yield frame;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
