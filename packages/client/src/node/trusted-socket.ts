import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ParleyClientError } from '../errors.ts';
import type { ServerUrl } from '../url.ts';
import type { TrustPolicy } from './trust.ts';

/**
 * Opens a socket to a server: TLS 1.3 for `tls://` and `wss://`, resolved only once the trust
 * policy accepted the certificate (CA-verified, or pinned like SSH, see trust.ts), so nothing
 * (no login, not even a WebSocket upgrade) is sent to a server that was not checked; plain TCP
 * for `tcp://` and `ws://`.
 */
export function connectTrusted(url: ServerUrl, trust: TrustPolicy, connectTimeoutMs: number): Promise<Socket> {
  const secure = url.scheme === 'tls' || url.scheme === 'wss';
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => {
      socket.destroy();
      reject(error instanceof ParleyClientError ? error : ParleyClientError.local('CONNECT_FAILED', `Cannot connect to ${url.href}: ${(error as Error).message}`, { cause: error }));
    };
    const socket: Socket = secure
      ? tlsConnect({ host: url.host, port: url.port, servername: /^[\d.:]+$/.test(url.host) ? undefined : url.host, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, () => {
          const tls = socket as TLSSocket;
          const hostPort = `${url.host.includes(':') ? `[${url.host}]` : url.host}:${url.port}`;
          trust({ hostPort, fingerprint: tls.getPeerCertificate().fingerprint256, caVerified: tls.authorized }).then(() => {
            socket.setTimeout(0);
            resolve(socket);
          }, fail);
        })
      : netConnect({ host: url.host, port: url.port }, () => {
          socket.setTimeout(0);
          resolve(socket);
        });
    socket.setTimeout(connectTimeoutMs, () => fail(new Error('timed out')));
    // Stays attached after the connect (a later error then only destroys the socket), so an
    // error before the caller adds its own listeners cannot go unhandled.
    socket.on('error', fail);
  });
}
