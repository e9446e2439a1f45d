import { WebSocket } from 'ws';
import type { TransportFactory } from '../transport.ts';
import { webSocketTransport, type WebSocketConstructor } from '../ws-transport.ts';
import type { TrustPolicy } from './trust.ts';
import { connectTrusted } from './trusted-socket.ts';

/**
 * `ws://` and `wss://` in Node, through the `ws` package. For `wss://` the TLS connection is made
 * and its certificate accepted by the trust policy first (pinned like `tls://`, so a server's
 * self-signed certificate works as it does on the TCP port); `ws` then speaks HTTP on that socket.
 * `ws` offers permessage-deflate only when the client asks for compression.
 */
export function nodeWebSocketTransport(options: { trust: TrustPolicy; connectTimeoutMs?: number }): TransportFactory {
  return async (url, transportOptions = {}) => {
    const socket = url.scheme === 'wss' ? await connectTrusted(url, options.trust, options.connectTimeoutMs ?? 10_000) : undefined;
    const settings = { perMessageDeflate: transportOptions.compress === true, ...(socket ? { createConnection: () => socket } : {}) };
    class NodeWebSocket extends WebSocket {
      constructor(address: string) {
        super(address, settings);
      }
    }
    return webSocketTransport(NodeWebSocket as unknown as WebSocketConstructor)(url, transportOptions);
  };
}
