import { TLSSocket } from 'node:tls';
import { CHANNEL_BINDING_LABEL, decodeFrame, encodeFrame, LineFramer, type ServerFrame } from '@parley/protocol';
import { FrameQueue, type Transport, type TransportFactory } from '../transport.ts';
import type { TrustPolicy } from './trust.ts';
import { connectTrusted } from './trusted-socket.ts';

const MAX_INBOUND_FRAME = 16 * 1024 * 1024;

/** JSON lines over TLS (pinned, see trust.ts) or plain TCP. */
export function streamTransport(options: { trust: TrustPolicy; connectTimeoutMs?: number }): TransportFactory {
  return async (url) => {
    const socket = await connectTrusted(url, options.trust, options.connectTimeoutMs ?? 10_000);
    socket.setNoDelay(true);
    socket.removeAllListeners('error');
    const queue = new FrameQueue();
    const framer = new LineFramer(MAX_INBOUND_FRAME);
    socket.on('data', (chunk: Buffer) => {
      for (const out of framer.push(chunk)) {
        if (out.kind !== 'frame') continue;
        try {
          queue.push(decodeFrame('json', out.bytes) as unknown as ServerFrame);
        } catch {
          socket.destroy();
        }
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => queue.end());
    const transport: Transport = {
      [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
      send(frame) {
        if (socket.writable) socket.write(Buffer.concat([encodeFrame('json', frame), Buffer.from('\n')]));
      },
      close: () => socket.end(),
      channelBinding: () => (socket instanceof TLSSocket ? socket.exportKeyingMaterial(32, CHANNEL_BINDING_LABEL, Buffer.alloc(0)) : undefined),
    };
    return transport;
  };
}
