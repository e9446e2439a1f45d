import type { CommandArgs, ReplyData, ServerEvent, Verb } from '@parley/protocol';
import { ParleyClientError } from './errors.ts';
import type { Transport } from './transport.ts';

interface Pending {
  resolve(data: unknown): void;
  reject(error: ParleyClientError): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One live connection: matches replies to requests by id and hands events on. Every request
 * settles: with its reply, a TIMEOUT, or DISCONNECTED when the transport ends first.
 */
export class Channel {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ended = false;
  /** Resolves when the connection has closed. */
  readonly done: Promise<void>;

  constructor(
    private readonly transport: Transport,
    private readonly onEvent: (event: ServerEvent) => void,
  ) {
    this.done = this.read();
  }

  /** Whether hello may ask this connection for compression (Transport.compresses). */
  get compresses(): boolean {
    return this.transport.compresses === true;
  }

  /** The transport's TLS channel binding, for key proofs. */
  channelBinding(): Uint8Array | undefined {
    return this.transport.channelBinding?.();
  }

  private async read(): Promise<void> {
    try {
      for await (const frame of this.transport) {
        if ('ev' in frame) {
          this.onEvent(frame);
          continue;
        }
        const pending = typeof frame.re === 'number' ? this.pending.get(frame.re) : undefined;
        if (!pending) continue;
        this.pending.delete(frame.re as number);
        clearTimeout(pending.timer);
        if (frame.ok) pending.resolve(frame.data);
        else pending.reject(ParleyClientError.fromWire(frame.error));
      }
    } finally {
      this.ended = true;
      for (const pending of this.pending.values()) {
        clearTimeout(pending.timer);
        pending.reject(ParleyClientError.local('DISCONNECTED', 'The connection closed before the server replied'));
      }
      this.pending.clear();
    }
  }

  request<TVerb extends Verb>(cmd: TVerb, args: CommandArgs<TVerb>, timeoutMs: number): Promise<ReplyData[TVerb]> {
    if (this.ended) return Promise.reject(ParleyClientError.local('DISCONNECTED', 'Not connected'));
    const id = this.nextId++;
    return new Promise<ReplyData[TVerb]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(ParleyClientError.local('TIMEOUT', `No reply to ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (data: unknown) => void, reject, timer });
      this.transport.send({ ...args, cmd, id });
    });
  }

  /** A frame that expects no reply (pong). */
  notify(cmd: Verb, args: Record<string, unknown> = {}): void {
    if (!this.ended) this.transport.send({ ...args, cmd });
  }

  close(): void {
    this.transport.close();
  }
}
