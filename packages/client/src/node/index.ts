import { WebSocket } from 'ws';
import type { TransportFactory } from '../transport.ts';
import { webSocketTransport, type WebSocketConstructor } from '../ws-transport.ts';
import { streamTransport } from './stream-transport.ts';
import { pinningPolicy, type PinningOptions } from './trust.ts';

export { KnownHosts, defaultKnownHostsFile } from './known-hosts.ts';
export { pinningPolicy, type PinningOptions, type TrustPolicy, type PeerCertificateInfo, type TrustReason } from './trust.ts';
export { streamTransport } from './stream-transport.ts';

/** The transport for Node: tls:// and tcp:// as JSON lines (TLS pinned like SSH), ws:// and wss:// via `ws`. */
export function nodeTransport(trust: PinningOptions = {}): TransportFactory {
  const stream = streamTransport({ trust: pinningPolicy(trust) });
  const ws = webSocketTransport(WebSocket as unknown as WebSocketConstructor);
  return (url) => (url.scheme === 'ws' || url.scheme === 'wss' ? ws(url) : stream(url));
}
