import type { Bus, BusHandler, BusMeta, BusPayload, BusStats, BusSubscription } from './bus.ts';

/**
 * The in-process bus: a single node's default, and several nodes in one process when they share
 * a LocalBusNetwork (tests). Publishing calls the handlers directly, nothing is encoded, so the
 * single-node path costs a map lookup per message over calling the router itself.
 */
export class LocalBusNetwork {
  readonly #buses = new Set<LocalBus>();

  bus(nodeId: string, options: Omit<LocalBusOptions, 'network'> = {}): LocalBus {
    const bus = new LocalBus(nodeId, { ...options, network: this });
    this.#buses.add(bus);
    return bus;
  }

  /** @internal */ forget(bus: LocalBus): void {
    this.#buses.delete(bus);
  }

  /** @internal */ others(from: LocalBus): Iterable<LocalBus> {
    return [...this.#buses].filter((bus) => bus !== from);
  }
}

export interface LocalBusOptions {
  network?: LocalBusNetwork;
  /** Hears of a handler that threw (the server logs it); by default it goes to stderr. */
  onHandlerError?: (error: unknown, topic: string) => void;
}

export class LocalBus implements Bus {
  readonly kind = 'local';
  readonly #handlers = new Map<string, BusHandler[]>();
  readonly #stats = { published: 0, received: 0, dropped: 0 };
  #closed = false;

  readonly #network: LocalBusNetwork | undefined;
  readonly #onHandlerError: (error: unknown, topic: string) => void;

  constructor(
    readonly nodeId: string,
    options: LocalBusOptions = {},
  ) {
    this.#network = options.network;
    this.#onHandlerError = options.onHandlerError ?? ((error, topic) => console.error(`bus handler for ${topic} failed:`, error));
  }

  /** Whether other nodes can hear this bus (it is part of a LocalBusNetwork). */
  get networked(): boolean {
    return this.#network !== undefined;
  }

  publish(topic: string, payload: BusPayload): void {
    if (this.#closed) {
      this.#stats.dropped += 1;
      return;
    }
    this.#stats.published += 1;
    this.receive(topic, payload, { from: this.nodeId, local: true });
    if (!this.#network) return;
    // Other nodes of the same process get it on a later turn, as a network would deliver it:
    // a publisher never runs another node's handlers inside its own call.
    const others = [...this.#network.others(this)];
    if (others.length === 0) return;
    const copy = structuredClone(payload);
    queueMicrotask(() => {
      for (const bus of others) bus.receive(topic, copy, { from: this.nodeId, local: false });
    });
  }

  subscribe(topic: string, handler: BusHandler): BusSubscription {
    const list = this.#handlers.get(topic);
    if (list) list.push(handler);
    else this.#handlers.set(topic, [handler]);
    return {
      unsubscribe: () => {
        const current = this.#handlers.get(topic);
        if (!current) return;
        const rest = current.filter((h) => h !== handler);
        if (rest.length > 0) this.#handlers.set(topic, rest);
        else this.#handlers.delete(topic);
      },
    };
  }

  stats(): BusStats {
    return { connected: !this.#closed, ...this.#stats };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#handlers.clear();
    this.#network?.forget(this);
  }

  /** @internal */ receive(topic: string, payload: BusPayload, meta: BusMeta): void {
    if (this.#closed) return;
    const handlers = this.#handlers.get(topic);
    if (!handlers) return;
    if (!meta.local) this.#stats.received += 1;
    for (const handler of handlers) {
      try {
        handler(payload, meta);
      } catch (error) {
        // A failing handler must not keep the payload from the others, nor fail the publisher.
        this.#onHandlerError(error, topic);
      }
    }
  }
}
