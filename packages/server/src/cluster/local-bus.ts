import type { Bus, BusHandler, BusMeta, BusPayload, BusStats, BusSubscription } from './bus.ts';
import { dropUndefined } from './bus-wire.ts';
import { TopicHandlers, defaultHandlerError } from './topic-handlers.ts';

/**
 * The in-process bus: a single node's default, and several nodes in one process when they share
 * a LocalBusNetwork (tests). Publishing calls the handlers directly, nothing is encoded, so the
 * single-node path costs a map lookup per message over calling the router itself.
 */
export class LocalBusNetwork {
  readonly #buses = new Set<LocalBus>();
  readonly #delayMs: number;

  /**
   * `delayMs`: how much later other nodes get a payload (tests of what crosses in flight; each
   * publisher's payloads still arrive in order). Default: on a later turn, at once.
   */
  constructor(options: { delayMs?: number } = {}) {
    this.#delayMs = options.delayMs ?? 0;
  }

  /** @internal */ get delayMs(): number {
    return this.#delayMs;
  }

  bus(nodeId: string, options: Omit<LocalBusOptions, 'network'> = {}): LocalBus {
    const bus = new LocalBus(nodeId, { ...options, network: this });
    this.#buses.add(bus);
    return bus;
  }

  /** @internal */ forget(bus: LocalBus): void {
    this.#buses.delete(bus);
  }

  /** @internal */ others(from: LocalBus): LocalBus[] {
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
  readonly #handlers: TopicHandlers;
  readonly #stats = { published: 0, received: 0, dropped: 0 };
  #closed = false;

  readonly #network: LocalBusNetwork | undefined;

  constructor(
    readonly nodeId: string,
    options: LocalBusOptions = {},
  ) {
    this.#network = options.network;
    this.#handlers = new TopicHandlers({ onHandlerError: options.onHandlerError ?? defaultHandlerError });
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
    // Other nodes are scheduled first, as the NATS bus sends first: a local handler that
    // publishes in turn must not get its payload to the other nodes ahead of this one.
    if (this.#sendToOthers(topic, payload)) this.#stats.published += 1;
    else this.#stats.dropped += 1;
    this.#handlers.dispatch(topic, payload, { from: this.nodeId, local: true });
  }

  subscribe(topic: string, handler: BusHandler): BusSubscription {
    if (this.#closed) return { unsubscribe: () => {} };
    return this.#handlers.add(topic, handler);
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
    if (this.#handlers.dispatch(topic, payload, meta) && !meta.local) this.#stats.received += 1;
  }

  /** False when the payload cannot be copied (not JSON-shaped data): only this node has it. */
  #sendToOthers(topic: string, payload: BusPayload): boolean {
    if (!this.#network) return true;
    const others = this.#network.others(this);
    if (others.length === 0) return true;
    // Each node gets its own copy, made now, as a network would: what the publisher or another
    // node's handler does to its object afterwards changes nothing here. Undefined fields are
    // absent, as after the NATS bus's encoding.
    let copies: BusPayload[];
    try {
      copies = others.map(() => dropUndefined(structuredClone(payload)));
    } catch {
      return false;
    }
    // Other nodes of the same process get it on a later turn, as a network would deliver it:
    // a publisher never runs another node's handlers inside its own call.
    const deliver = () => others.forEach((bus, i) => bus.receive(topic, copies[i] as BusPayload, { from: this.nodeId, local: false }));
    // Timers of one delay run in the order they were set: a publisher's order holds.
    if (this.#network.delayMs > 0) setTimeout(deliver, this.#network.delayMs);
    else queueMicrotask(deliver);
    return true;
  }
}

/** Whether a bus reaches other nodes: NATS, or an in-process bus of a LocalBusNetwork (tests). */
export function reachesOtherNodes(bus: Bus): boolean {
  return bus.kind === 'nats' || (bus instanceof LocalBus && bus.networked);
}
