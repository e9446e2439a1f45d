import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { ParleyError } from '@parley/protocol';
import type { Logger } from 'pino';
import { errorLine } from '../core/text-lines.ts';
import type { ListenAddress } from '../config/listen-address.ts';
import type { TlsMaterial } from './tls-certificate.ts';
import { enforceHandshakeDeadline, NODE_HANDSHAKE_TIMEOUT_MS } from './handshake-deadline.ts';

const TLS_HANDSHAKE_RECORD = 0x16;

export interface TcpListenerOptions {
  address: ListenAddress;
  tls: TlsMaterial | undefined;
  /** Read for every connection, so a reload reaches it. */
  handshakeTimeoutMs: () => number;
  log: Logger;
  onConnection(socket: Socket | TLSSocket, kind: 'tls' | 'tcp'): void;
}

function tlsRequiredLine(address: ListenAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const error = new ParleyError('TLS_REQUIRED', `This port speaks TLS 1.3. Connect with: openssl s_client -connect ${host}:${address.port}  (or: parley chat tls://${host}:${address.port})`);
  return `${errorLine(error.toWire())}\n`;
}

/**
 * A TCP listener. With TLS, the first byte decides: a TLS handshake record goes to the TLS
 * server, anything else is a plaintext client that gets one readable line explaining how to
 * connect, then the socket closes.
 */
export interface TcpListener {
  readonly server: Server;
  /** Stops accepting and drops sockets still in their TLS handshake; sessions close themselves. */
  close(): Promise<void>;
  /** Swaps the certificate for new handshakes (config reload); open connections keep theirs. */
  setCertificate(tls: TlsMaterial): void;
}

export function listenTcp(options: TcpListenerOptions): Promise<TcpListener> {
  const { address, tls, log } = options;
  const tlsServer = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.3', handshakeTimeout: NODE_HANDSHAKE_TIMEOUT_MS, allowHalfOpen: true })
    : undefined;
  if (tlsServer) enforceHandshakeDeadline(tlsServer, options.handshakeTimeoutMs);
  // Sockets not yet handed to a session (sniffing the first byte or in the TLS handshake).
  const unclaimed = new Set<Socket>();
  tlsServer?.on('secureConnection', (socket: TLSSocket) => {
    unclaimed.delete(socket);
    options.onConnection(socket, 'tls');
  });
  tlsServer?.on('tlsClientError', (err, socket) => {
    log.debug({ err: err.message, remote: socket.remoteAddress }, 'TLS handshake failed');
    socket.destroy();
  });

  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    if (!tlsServer) {
      options.onConnection(socket, 'tcp');
      return;
    }
    unclaimed.add(socket);
    socket.once('close', () => unclaimed.delete(socket));
    socket.setTimeout(options.handshakeTimeoutMs(), () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0);
      if (first[0] === TLS_HANDSHAKE_RECORD) {
        socket.pause();
        socket.unshift(first);
        tlsServer.emit('connection', socket);
        // Resuming in the same tick hangs the handshake (the TLS wrap has not taken over yet).
        process.nextTick(() => socket.resume());
      } else {
        socket.end(tlsRequiredLine(address));
        setTimeout(() => socket.destroy(), 1000).unref();
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address.host, port: address.port, ipv6Only: address.host.includes(':') }, () => {
      server.off('error', reject);
      resolve({
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of unclaimed) socket.destroy();
          }),
        setCertificate: (material) => tlsServer?.setSecureContext({ cert: material.cert, key: material.key, minVersion: 'TLSv1.3' }),
      });
    });
  });
}
