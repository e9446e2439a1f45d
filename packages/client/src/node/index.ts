import type { TransportFactory } from '../transport.ts';
import { streamTransport } from './stream-transport.ts';
import { pinningPolicy, type PinningOptions } from './trust.ts';
import { nodeWebSocketTransport } from './websocket-transport.ts';

export { KnownHosts, defaultKnownHostsFile } from './known-hosts.ts';
export { pinningPolicy, type PinningOptions, type TrustPolicy, type PeerCertificateInfo, type TrustReason } from './trust.ts';
export { streamTransport } from './stream-transport.ts';
export { nodeLoginKey, createLoginKeyFile, readLoginKeyFile } from './login-key-file.ts';
export { fileE2eStorage } from './e2e-file-storage.ts';
export { nodeIdentityKey } from './identity-key-file.ts';

/** The transport for Node: tls:// and tcp:// as JSON lines, ws:// and wss:// via `ws`; TLS is pinned like SSH. */
export function nodeTransport(trust: PinningOptions = {}): TransportFactory {
  const policy = pinningPolicy(trust);
  const stream = streamTransport({ trust: policy });
  const ws = nodeWebSocketTransport({ trust: policy });
  return (url, options) => (url.scheme === 'ws' || url.scheme === 'wss' ? ws(url, options) : stream(url, options));
}
