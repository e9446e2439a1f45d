import type { Socket } from 'node:net';
import type { Server as TlsServer, TLSSocket } from 'node:tls';

/**
 * Node's own TLS handshake timeout is fixed when the server is made; this one reads
 * `timeoutMs()` for every new connection, so a reload of limits.handshake_timeout_ms reaches
 * the TLS port and the HTTPS port without a restart. A raw socket and the TLS socket made from
 * it are matched by their peer address and port (the same TCP connection).
 */
export function enforceHandshakeDeadline(server: TlsServer, timeoutMs: () => number): void {
  const pending = new Map<string, NodeJS.Timeout>();
  server.on('connection', (raw: Socket) => {
    const key = `${raw.remoteAddress}:${raw.remotePort}`;
    const timer = setTimeout(() => raw.destroy(), timeoutMs());
    timer.unref();
    pending.set(key, timer);
    raw.once('close', () => {
      clearTimeout(timer);
      if (pending.get(key) === timer) pending.delete(key);
    });
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    clearTimeout(pending.get(key));
    pending.delete(key);
  });
}

/** Node's handshake timeout, out of the way of the one above (0 would mean its 120 s default). */
export const NODE_HANDSHAKE_TIMEOUT_MS = 2 ** 31 - 1;
