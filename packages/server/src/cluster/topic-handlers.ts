import type { BusHandler, BusMeta, BusPayload, BusSubscription } from './bus.ts';

interface Registration {
  readonly handler: BusHandler;
  active: boolean;
}

export interface TopicHandlersOptions {
  onHandlerError: (error: unknown, topic: string) => void;
  /** A topic got its first handler (the NATS bus subscribes its subject). */
  onFirst?: (topic: string) => void;
  /** A topic lost its last handler. */
  onLast?: (topic: string) => void;
}

/**
 * The handlers of each topic on one node, shared by both buses so they dispatch alike:
 * - each `add` is its own subscription, even for a handler function added twice;
 * - a payload goes to the handlers subscribed when its dispatch began, in subscription order
 *   (the lists are copied on write, so a handler added during a dispatch waits for the next);
 * - `unsubscribe` takes effect at once, in the middle of a dispatch too: after it returns the
 *   handler is never called again;
 * - a handler that throws is reported and the others still run.
 */
export class TopicHandlers {
  readonly #topics = new Map<string, Registration[]>();
  readonly #options: TopicHandlersOptions;

  constructor(options: TopicHandlersOptions) {
    this.#options = options;
  }

  add(topic: string, handler: BusHandler): BusSubscription {
    const registration: Registration = { handler, active: true };
    const list = this.#topics.get(topic);
    this.#topics.set(topic, list ? [...list, registration] : [registration]);
    if (!list) this.#options.onFirst?.(topic);
    return { unsubscribe: () => this.#remove(topic, registration) };
  }

  has(topic: string): boolean {
    return this.#topics.has(topic);
  }

  topics(): IterableIterator<string> {
    return this.#topics.keys();
  }

  /** Calls the topic's handlers; false when it has none. */
  dispatch(topic: string, payload: BusPayload, meta: BusMeta): boolean {
    const list = this.#topics.get(topic);
    if (!list) return false;
    for (const registration of list) {
      if (!registration.active) continue;
      try {
        registration.handler(payload, meta);
      } catch (error) {
        this.#reportError(error, topic);
      }
    }
    return true;
  }

  /** Drops every handler without calling `onLast` (the bus is closing). */
  clear(): void {
    for (const list of this.#topics.values()) for (const registration of list) registration.active = false;
    this.#topics.clear();
  }

  #remove(topic: string, registration: Registration): void {
    if (!registration.active) return;
    registration.active = false;
    const list = this.#topics.get(topic);
    if (!list) return;
    const rest = list.filter((r) => r !== registration);
    if (rest.length > 0) {
      this.#topics.set(topic, rest);
      return;
    }
    this.#topics.delete(topic);
    this.#options.onLast?.(topic);
  }

  #reportError(error: unknown, topic: string): void {
    try {
      this.#options.onHandlerError(error, topic);
    } catch {
      // A failing error hook must not break delivery (on NATS it would kill the reader loop).
    }
  }
}

export function defaultHandlerError(error: unknown, topic: string): void {
  console.error(`bus handler for ${topic} failed:`, error);
}
