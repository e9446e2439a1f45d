import type { CommandArgs } from '@parley/protocol';
import { ParleyClientError } from './errors.ts';
import type { ClientReceipt } from './pending-sends.ts';

interface Entry {
  args: CommandArgs<'send'> & { cmid: string };
  /** Queued or interrupted while disconnected: its recipients may not be back online yet. */
  crossedDisconnect: boolean;
  resolve(sent: ClientReceipt[]): void;
  reject(error: ParleyClientError): void;
}

/**
 * After a reconnect (a server restart, say) the other guests come back over several seconds. A
 * DM queued across the disconnect that finds its recipient not online yet is retried this long
 * before it fails with NO_SUCH_USER.
 */
const RECIPIENT_GRACE_MS = 15_000;
const RECIPIENT_RETRY_MS = 250;

export type Transmit = (args: Entry['args']) => Promise<ClientReceipt[]>;

/** A client message id: a resend after a lost reply is stored once. */
export function newCmid(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Sends wait here until the server acknowledges them, in order, one in flight at a time. A send
 * interrupted by a disconnect stays queued and is sent again after reconnecting with the same
 * client message id, so the server stores it once; rate-limit refusals wait and retry.
 */
export class Outbox {
  private readonly entries: Entry[] = [];
  private pumping = false;
  private drainWaiters: (() => void)[] = [];
  private reconnectedAt = 0;

  constructor(private readonly capacity: number) {}

  add(args: CommandArgs<'send'>, disconnected: boolean): Promise<ClientReceipt[]> {
    if (this.entries.length >= this.capacity) {
      return Promise.reject(ParleyClientError.local('OUTBOX_FULL', `${this.capacity} sends are already waiting for the server`));
    }
    return new Promise((resolve, reject) => this.entries.push({ args: { ...args, cmid: args.cmid ?? newCmid() }, crossedDisconnect: disconnected, resolve, reject }));
  }

  /** The connection is back: every entry still waiting crossed a disconnect. */
  reconnected(): void {
    this.reconnectedAt = Date.now();
    for (const entry of this.entries) entry.crossedDisconnect = true;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Whether a send with this client message id waits here (queued, or sent and not acknowledged yet). */
  holds(cmid: string): boolean {
    return this.entries.some((entry) => entry.args.cmid === cmid);
  }

  /** Sends queued entries until the queue is empty or the connection is lost. */
  async pump(transmit: Transmit, sleep: (ms: number) => Promise<void>): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const entry = this.entries[0];
        if (!entry) break;
        try {
          const sent = await transmit(entry.args);
          this.entries.shift();
          entry.resolve(sent);
        } catch (error) {
          const failure = error as ParleyClientError;
          if (failure.errorName === 'RATE_LIMITED') await sleep(failure.retryAfterMs ?? 1000);
          else if (failure.errorName === 'NO_SUCH_USER' && entry.crossedDisconnect && Date.now() - this.reconnectedAt < RECIPIENT_GRACE_MS) {
            await sleep(RECIPIENT_RETRY_MS);
          }
          else if (failure.errorName === 'DISCONNECTED' || failure.errorName === 'CLOSED') break;
          else if (failure.errorName !== 'TIMEOUT') {
            this.entries.shift();
            entry.reject(failure);
          }
        }
      }
    } finally {
      this.pumping = false;
      if (this.entries.length === 0) for (const wake of this.drainWaiters.splice(0)) wake();
    }
  }

  /** Resolves when every queued send has been acknowledged (or rejected). */
  drained(): Promise<void> {
    if (this.entries.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  rejectAll(error: ParleyClientError): void {
    for (const entry of this.entries.splice(0)) entry.reject(error);
    for (const wake of this.drainWaiters.splice(0)) wake();
  }
}
