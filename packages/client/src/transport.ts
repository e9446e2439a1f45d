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
}

/** Opens a transport; the SDK is given one, so browser builds carry no Node imports. */
export type TransportFactory = (url: ServerUrl) => Promise<Transport>;

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
