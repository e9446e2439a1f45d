import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Session } from './core/session.ts';

/**
 * Prometheus metrics, one registry per server instance (tests run several in one process).
 * Hot-path counts (deliveries) live in plain fields elsewhere and are read at scrape time, so
 * fan-out does not pay for a metrics call per recipient.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly logins = new Counter({ name: 'parley_logins_total', help: 'Successful logins', labelNames: ['kind'], registers: [this.registry] });
  readonly messages = new Counter({ name: 'parley_messages_total', help: 'Messages stored (one per target)', registers: [this.registry] });
  readonly disconnects = new Counter({
    name: 'parley_disconnects_total',
    help: 'Closed connections by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly storeWriteSeconds = new Histogram({
    name: 'parley_store_write_seconds',
    help: 'Latency of one batched message append transaction',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly storeBatchSize = new Histogram({
    name: 'parley_store_batch_messages',
    help: 'Messages per append transaction',
    buckets: [1, 2, 5, 10, 50, 100, 500, 1000],
    registers: [this.registry],
  });

  readonly busRepairs = new Counter({
    name: 'parley_bus_repairs_total',
    help: 'Messages delivered from the store because the bus had not brought them: kind="gap" (a seq missing between two that arrived), kind="tail" (the periodic tail check)',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  readonly busForeign = new Counter({
    name: 'parley_bus_foreign_total',
    help: 'Messages from nodes of another store (another epoch) on this bus, dropped: two servers share one NATS subject prefix',
    registers: [this.registry],
  });

  readonly busLag = new Histogram({
    name: 'parley_bus_lag_seconds',
    help: 'From a send on another node to its arrival here over the bus (includes the commit)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });

  constructor(source: {
    sessions: () => Iterable<Session>;
    deliveries: () => number;
    socketWrites: () => number;
    bus?: () => { published: number; received: number; dropped: number; connected: boolean };
  }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_process_' });
    new Gauge({
      name: 'parley_connections',
      help: 'Open connections by transport',
      labelNames: ['transport'],
      registers: [this.registry],
      collect() {
        const counts = { tls: 0, tcp: 0, ws: 0 };
        for (const session of source.sessions()) counts[session.transport.kind] += 1;
        for (const [transport, count] of Object.entries(counts)) this.set({ transport }, count);
      },
    });
    new Gauge({
      name: 'parley_outbound_queue_bytes',
      help: 'Bytes waiting to be written to clients, all connections together',
      registers: [this.registry],
      collect() {
        let bytes = 0;
        for (const session of source.sessions()) bytes += session.queuedBytes;
        this.set(bytes);
      },
    });
    new Counter({
      name: 'parley_deliveries_total',
      help: 'Events queued to connections (one per recipient connection)',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(source.deliveries());
      },
    });
    const bus = source.bus;
    if (bus) {
      for (const field of ['published', 'received', 'dropped'] as const) {
        new Counter({
          name: `parley_bus_${field}_total`,
          help: `Bus payloads ${field === 'published' ? 'published by this node' : field === 'received' ? 'received from other nodes' : 'that could not be sent to other nodes (repaired by the tail check)'}`,
          registers: [this.registry],
          collect() {
            this.reset();
            this.inc(bus()[field]);
          },
        });
      }
      new Gauge({
        name: 'parley_bus_connected',
        help: '1 when the bus reaches the other nodes',
        registers: [this.registry],
        collect() {
          this.set(bus().connected ? 1 : 0);
        },
      });
    }
    new Counter({
      name: 'parley_socket_writes_total',
      help: 'Coalesced writes to client sockets (one per connection per event-loop turn with output); deliveries per write is the batching factor',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(source.socketWrites());
      },
    });
  }

  observeAppend(batchSize: number, seconds: number): void {
    this.storeWriteSeconds.observe(seconds);
    this.storeBatchSize.observe(batchSize);
  }
}
