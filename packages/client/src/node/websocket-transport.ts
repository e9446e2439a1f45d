import { WebSocket } from 'ws';
import type { TransportFactory } from '../transport.ts';
import { webSocketTransport, type WebSocketConstructor } from '../ws-transport.ts';
import type { TrustPolicy } from './trust.ts';
import { connectTrusted } from './trusted-socket.ts';

/**
 * `ws://` and `wss://` in Node, through the `ws` package. For `wss://` the TLS connection is made
 * and its certificate accepted by the trust policy first (pinned like `tls://`, so a server's
 * self-signed certificate works as it does on the TCP port); `ws` then speaks HTTP on that socket.
 */
export function nodeWebSocketTransport(options: { trust: TrustPolicy; connectTimeoutMs?: number }): TransportFactory {
  const plain = webSocketTransport(WebSocket as unknown as WebSocketConstructor);
  return async (url) => {
    if (url.scheme !== 'wss') return plain(url);
    const socket = await connectTrusted(url, options.trust, options.connectTimeoutMs ?? 10_000);
    class OnTrustedSocket extends WebSocket {
      constructor(address: string) {
        super(address, { createConnection: () => socket });
      }
    }
    return webSocketTransport(OnTrustedSocket as unknown as WebSocketConstructor)(url);
  };
}
