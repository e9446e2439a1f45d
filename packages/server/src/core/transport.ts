import type { ParleyError } from '@parley/protocol';
import type { ByteSink } from './outbound.ts';

export type TransportKind = 'tls' | 'tcp' | 'ws';

/** The transport under a session; TCP/TLS and WebSocket connections each provide one. */
export interface SessionTransport {
  readonly kind: TransportKind;
  readonly remoteAddress: string;
  /** Where the outbound queue writes: the socket, or after `compress()` a sink that compresses on its way there. */
  readonly sink: ByteSink;
  /** Closes after the bytes already written have gone out. */
  end(reason: ParleyError | undefined): void;
  /** Inbound backpressure: stop and restart reading from the peer. */
  pause(): void;
  resume(): void;
  /**
   * RFC 9266's tls-exporter channel binding of this connection (32 bytes), when the client can
   * compute it too: TLS stream connections. WebSocket connections give none, since a browser
   * cannot read its TLS exporter.
   */
  channelBinding?(): Buffer | undefined;
  /**
   * Compression at `hello` (docs/protocol.md, "Compression"). `canCompress`: whether this
   * connection can: a stream connection always, a WebSocket when its handshake negotiated
   * permessage-deflate. `compress` switches it on for every byte written from now on (the
   * hello reply is already out): `sink` then compresses, and a stream connection inflates what
   * it reads after that hello. Absent: never compresses (the server console).
   */
  canCompress?(): boolean;
  compress?(): void;
}
