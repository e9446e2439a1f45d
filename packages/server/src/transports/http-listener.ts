import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ListenAddress } from '../config/listen-address.ts';
import { infoPage } from './info-page.ts';
import type { TlsMaterial } from './tls-certificate.ts';
import { defaultWebDir, loadStaticSite } from './static-files.ts';
import { enforceHandshakeDeadline, NODE_HANDSHAKE_TIMEOUT_MS } from './handshake-deadline.ts';

export interface HttpRoutesContext {
  health(): Record<string, unknown>;
  metrics(): Promise<{ contentType: string; body: string }>;
  page(): { serverName: string; fingerprint: string | undefined; tlsPorts: readonly number[]; wsPath: string };
  onWebSocket(ws: WebSocket, socket: Socket, request: IncomingMessage): void;
  /**
   * The other nodes' WebSocket addresses (`http.failover_urls`) that `/client.json` gives the web
   * client; read at each request, so a reload reaches pages loaded after it. Absent: none.
   */
  failoverUrls?(): readonly string[];
  /** Both read for every new connection, so a reload reaches them. */
  maxFrameBytes(): number;
  handshakeTimeoutMs(): number;
  /** The built web client; default `@parley/web`'s `dist/`. Without its index.html, `/` is the info page. */
  webDir?: string;
}

const WS_PATH = '/ws';

interface HttpContent {
  type: string;
  body: string;
  headers?: Record<string, string>;
}

function send(res: ServerResponse, status: number, { type, body, headers = {} }: HttpContent): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'x-content-type-options': 'nosniff', ...headers });
  res.end(body);
}

function sendInfoPage(res: ServerResponse, ctx: HttpRoutesContext, where: { host: string; secure: boolean }): void {
  const { html, style } = infoPage({ ...ctx.page(), ...where });
  const styleHash = createHash('sha256').update(style).digest('base64');
  send(res, 200, {
    type: 'text/html; charset=utf-8',
    body: html,
    headers: {
      'content-security-policy': `default-src 'none'; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    },
  });
}

export interface HttpListener {
  server: Server;
  /** Swaps the certificate of an HTTPS listener for new connections (reload); a no-op for HTTP. */
  setCertificate(tls: TlsMaterial): void;
}

/**
 * HTTP, or HTTPS when `tls` is given: the web client at `/` (static files, see static-files.ts),
 * `/about` (this server and how to connect; also `/` when the client is not built), `/healthz`,
 * `/metrics`, `/client.json` (what the web client needs besides its files: the other nodes to
 * fail over to), and the WebSocket endpoint `/ws` (`wss://` over HTTPS).
 */
export function listenHttp(address: ListenAddress, ctx: HttpRoutesContext, tls?: TlsMaterial): Promise<HttpListener> {
  // ws fixes maxPayload per server; a new one is made when the limit changes (upgrades are cheap to route).
  let wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: ctx.maxFrameBytes() });
  const currentWss = () => {
    const maxPayload = ctx.maxFrameBytes();
    if (wss.options.maxPayload !== maxPayload) wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload });
    return wss;
  };
  const site = loadStaticSite(ctx.webDir ?? defaultWebDir());
  const routes: RequestListener = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { type: 'text/plain', body: 'method not allowed\n', headers: { allow: 'GET, HEAD' } });
    if (path === '/healthz') return send(res, 200, { type: 'application/json', body: JSON.stringify(ctx.health()) });
    if (path === '/metrics') {
      ctx.metrics().then(
        ({ contentType, body }) => send(res, 200, { type: contentType, body }),
        () => send(res, 500, { type: 'text/plain', body: 'metrics unavailable\n' }),
      );
      return;
    }
    // no-store: a page loaded after a reload must see the new list, not a cached one.
    if (path === '/client.json') return send(res, 200, { type: 'application/json', body: JSON.stringify({ failover: ctx.failoverUrls?.() ?? [] }), headers: { 'cache-control': 'no-store' } });
    if (path === WS_PATH) return send(res, 426, { type: 'text/plain', body: 'WebSocket upgrade required\n', headers: { upgrade: 'websocket' } });
    const host = req.headers.host ?? `${address.host}:${address.port}`;
    if (path === '/about' || (path === '/' && !site)) return sendInfoPage(res, ctx, { host, secure: tls !== undefined });
    if (site?.serve(req, res, path ?? '/')) return;
    send(res, 404, { type: 'text/plain', body: 'not found\n' });
  };
  // TLS 1.3 only, as on the TCP port; browsers from the last several years all speak it.
  const httpsServer = tls ? createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.3', handshakeTimeout: NODE_HANDSHAKE_TIMEOUT_MS }, routes) : undefined;
  if (httpsServer) enforceHandshakeDeadline(httpsServer, ctx.handshakeTimeoutMs);
  const server: Server = httpsServer ?? createServer(routes);
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    socket.on('error', () => socket.destroy());
    currentWss().handleUpgrade(req, socket, head, (ws) => ctx.onWebSocket(ws, socket, req));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address.host, port: address.port, ipv6Only: address.host.includes(':') }, () => {
      server.off('error', reject);
      resolve({
        server,
        setCertificate: (material) => httpsServer?.setSecureContext({ cert: material.cert, key: material.key, minVersion: 'TLSv1.3' }),
      });
    });
  });
}
