import type { ParleyError } from '@parley/protocol';
import type { ByteSink } from './outbound.ts';

export type TransportKind = 'tls' | 'tcp' | 'ws';

/** The transport under a session; TCP/TLS and WebSocket connections each provide one. */
export interface SessionTransport {
  readonly kind: TransportKind;
  readonly remoteAddress: string;
  readonly sink: ByteSink;
  /** Closes after the bytes already written have gone out. */
  end(reason: ParleyError | undefined): void;
  /** Inbound backpressure: stop and restart reading from the peer. */
  pause(): void;
  resume(): void;
}
