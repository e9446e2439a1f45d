import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { decodeFrame, encodeFrame, LineFramer, type ServerFrame } from '@parley/protocol';
import { ParleyClientError } from '../errors.ts';
import { FrameQueue, type Transport, type TransportFactory } from '../transport.ts';
import type { ServerUrl } from '../url.ts';
import type { TrustPolicy } from './trust.ts';

const MAX_INBOUND_FRAME = 16 * 1024 * 1024;

function openSocket(url: ServerUrl, trust: TrustPolicy, connectTimeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => {
      socket.destroy();
      reject(error instanceof ParleyClientError ? error : ParleyClientError.local('CONNECT_FAILED', `Cannot connect to ${url.href}: ${(error as Error).message}`, { cause: error }));
    };
    const socket: Socket =
      url.scheme === 'tls'
        ? tlsConnect({ host: url.host, port: url.port, servername: /^[\d.:]+$/.test(url.host) ? undefined : url.host, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, () => {
            const tls = socket as TLSSocket;
            const hostPort = `${url.host.includes(':') ? `[${url.host}]` : url.host}:${url.port}`;
            trust({ hostPort, fingerprint: tls.getPeerCertificate().fingerprint256, caVerified: tls.authorized }).then(() => resolve(socket), fail);
          })
        : netConnect({ host: url.host, port: url.port }, () => resolve(socket));
    socket.setTimeout(connectTimeoutMs, () => fail(new Error('timed out')));
    socket.once('error', fail);
  });
}

/** JSON lines over TLS (pinned, see trust.ts) or plain TCP. */
export function streamTransport(options: { trust: TrustPolicy; connectTimeoutMs?: number }): TransportFactory {
  return async (url) => {
    const socket = await openSocket(url, options.trust, options.connectTimeoutMs ?? 10_000);
    socket.setTimeout(0);
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
    };
    return transport;
  };
}
