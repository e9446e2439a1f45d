import { ParleyClientError, type ClientReceipt, type ParleyClient, type SendOptions } from '@parley/client';

/**
 * Sends in the order they were typed. The SDK keeps its outbox (rooms, plaintext DMs) in order,
 * and encrypted DMs in order per person, but the two paths race: an encrypted DM typed before a
 * room line could arrive after it. So a send that takes the other path than the ones still in
 * flight starts when those have settled; sends on the same path go out at once, as before.
 */
export class SendOrder {
  private path: 'e2e' | 'outbox' | undefined;
  private group: Promise<unknown>[] = [];
  private gate: Promise<unknown> = Promise.resolve();
  private readonly all = new Set<Promise<unknown>>();

  run<T>(path: 'e2e' | 'outbox', start: () => Promise<T>): Promise<T> {
    if (path !== this.path) {
      const previous = Promise.allSettled(this.group);
      this.gate = this.gate.then(() => previous);
      this.path = path;
      this.group = [];
    }
    const sent = this.gate.then(start);
    this.group.push(sent);
    const settled = sent.catch(() => undefined);
    this.all.add(settled);
    void settled.then(() => this.all.delete(settled));
    return sent;
  }

  /** Resolves once every send made so far has settled. */
  async idle(): Promise<void> {
    while (this.all.size > 0) await Promise.all([...this.all]);
  }
}

export const isDirect = (to: string) => !to.startsWith('#') && to.toUpperCase() !== 'ALL';

/**
 * `client.send` for both terminal clients: in typing order (SendOrder), and refused for a DM
 * when end-to-end encryption was wanted but could not be set up on this machine (`blocked`):
 * without this, such a DM would go out in plaintext without anyone having chosen it.
 */
export class ChatSender {
  readonly order = new SendOrder();

  constructor(
    private readonly client: ParleyClient,
    private readonly blocked?: string,
  ) {}

  /** Whether a send to `to` would be end-to-end encrypted. */
  encrypted(to: string, options: SendOptions = {}): boolean {
    return this.client.e2e?.handles(to, options) ?? false;
  }

  send(to: string, text: string, options: SendOptions = {}): Promise<ClientReceipt[]> {
    if (this.blocked !== undefined && isDirect(to) && !options.plaintext) {
      return Promise.reject(ParleyClientError.local('E2E_FAILED', this.blocked));
    }
    return this.order.run(this.encrypted(to, options) ? 'e2e' : 'outbox', () => this.client.send(to, text, options));
  }

  /** Every send made so far has been acknowledged (or refused); the outbox's own drain is the client's. */
  idle(): Promise<void> {
    return this.order.idle();
  }
}
