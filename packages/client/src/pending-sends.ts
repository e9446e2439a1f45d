import type { ChatMessage, SentReceipt } from '@parley/protocol';
import type { ParleyClientError } from './errors.ts';

/** A send's receipt as the SDK hands it on: the server's, with the client message id it went with. */
export type ClientReceipt = SentReceipt & { cmid: string };

/** A send whose receipt said `pending` was taken by the room's home: its stored receipt and the message. */
export interface Committed {
  cmid: string;
  receipt: ClientReceipt;
  message: ChatMessage;
}

interface Waiter {
  resolve(receipt: ClientReceipt): void;
  reject(error: ParleyClientError): void;
}

/** Commits remembered for `stored()` calls made after the event: enough for any burst an app awaits. */
const REMEMBERED_COMMITS = 1000;

const keyOf = (conv: string, cmid: string) => `${conv}\n${cmid}`;

function receiptOf(pending: ClientReceipt, message: ChatMessage): ClientReceipt {
  return { to: pending.to, conv: pending.conv, seq: message.seq, duplicate: false, cmid: pending.cmid };
}

/**
 * Sends to a room homed on another server that the home had not taken when the reply came
 * (`pending: true`, seq 0; docs/federation.md, "Send"). Such a message is stored later and reaches
 * the sender's own connection as a `message` event with the same cmid: that event is this
 * client's own send, not someone's message, and it is what turns the send from pending to sent.
 * A pending receipt is never a position in the conversation: nothing here moves a cursor to 0.
 *
 * The event can also overtake the reply it belongs to (after a reconnect the resume fetches a
 * message whose send is still in the outbox, waiting to be sent again): `early` keeps it, and the
 * reply that follows is answered with the stored receipt instead of the pending one.
 */
export class PendingSends {
  private readonly pending = new Map<string, { receipt: ClientReceipt; waiters: Waiter[] }>();
  private readonly early = new Map<string, ChatMessage>();
  private readonly done = new Map<string, ClientReceipt>();

  get size(): number {
    return this.pending.size;
  }

  /** A receipt from the server: kept when pending; the stored receipt when its event came first. */
  settle(receipt: ClientReceipt): ClientReceipt {
    const key = keyOf(receipt.conv, receipt.cmid);
    const arrived = this.early.get(key);
    this.early.delete(key);
    if (!receipt.pending) return receipt;
    if (arrived) return this.remember(key, receiptOf(receipt, arrived));
    this.pending.set(key, { receipt, waiters: this.pending.get(key)?.waiters ?? [] });
    return receipt;
  }

  /**
   * Whether a message event is one of this client's own sends: the commit of a pending one, or
   * `early`, one still in the outbox (`inOutbox`: its reply not read yet; kept for `settle`).
   * Undefined for everyone else's messages.
   */
  own(message: ChatMessage, inOutbox: (cmid: string) => boolean): Committed | 'early' | undefined {
    if (message.cmid === undefined) return undefined;
    const key = keyOf(message.conv, message.cmid);
    const entry = this.pending.get(key);
    if (!entry) {
      if (!inOutbox(message.cmid)) return undefined;
      this.early.set(key, message);
      return 'early';
    }
    this.pending.delete(key);
    const receipt = this.remember(key, receiptOf(entry.receipt, message));
    for (const waiter of entry.waiters) waiter.resolve(receipt);
    return { cmid: message.cmid, receipt, message };
  }

  /** Resolves with the stored receipt: at once unless `receipt` is (still) pending. */
  stored(receipt: ClientReceipt): Promise<ClientReceipt> {
    if (!receipt.pending) return Promise.resolve(receipt);
    const key = keyOf(receipt.conv, receipt.cmid);
    const committed = this.done.get(key);
    if (committed) return Promise.resolve(committed);
    return new Promise((resolve, reject) => {
      const entry = this.pending.get(key) ?? { receipt, waiters: [] };
      entry.waiters.push({ resolve, reject });
      this.pending.set(key, entry);
    });
  }

  /** The client ended: everyone still waiting hears why. What was pending stays with the server. */
  rejectAll(error: ParleyClientError): void {
    for (const entry of this.pending.values()) for (const waiter of entry.waiters.splice(0)) waiter.reject(error);
  }

  private remember(key: string, receipt: ClientReceipt): ClientReceipt {
    this.done.set(key, receipt);
    if (this.done.size > REMEMBERED_COMMITS) this.done.delete(this.done.keys().next().value!);
    return receipt;
  }
}
