import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFLATE_WINDOW_BITS } from '@parley/protocol';
import type { ListenAddress } from '../config/listen-address.ts';
import { DEFLATE_MEM_LEVEL } from '../core/deflate-sink.ts';
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
  /** All three read for every new connection, so a reload reaches them. */
  maxFrameBytes(): number;
  /** Whether a WebSocket that asks for compression may negotiate permessage-deflate (limits.compression). */
  compression(): boolean;
  handshakeTimeoutMs(): number;
  /** The built web client; default `@parley/web`'s `dist/`. Without its index.html, `/` is the info page. */
  webDir?: string;
}

const WS_PATH = '/ws';

/**
 * permessage-deflate (RFC 7692) for a WebSocket whose URL asks for it (`/ws?compress=deflate`):
 * browsers offer the extension on every connection, so an offer alone says nothing about what
 * the client wants, and accepting it would make every browser compress what it sends, and the
 * server keep an inflater for it, with compression "off". The server compresses what it sends
 * only after a `hello` that asks (commands/identity-commands.ts).
 *
 * Per connection, made when first used: the server's compressor with a 2^11 window
 * (server_max_window_bits) and memLevel 4, 16 KiB as on TCP (core/deflate-sink.ts); the
 * inflater holds the window the client compresses with, 2^11 when its offer lets the server
 * choose (client_max_window_bits; Chrome and ws do), else up to 2^15 (Firefox), plus about
 * 7 KiB. ws runs at most 10 compressions at a time across all connections (concurrencyLimit),
 * which bounds the memory zlib's threads take under a burst.
 */
function deflateOptions(boundClientWindow: boolean) {
  return {
    serverMaxWindowBits: DEFLATE_WINDOW_BITS,
    ...(boundClientWindow ? { clientMaxWindowBits: DEFLATE_WINDOW_BITS } : {}),
    zlibDeflateOptions: { memLevel: DEFLATE_MEM_LEVEL },
    concurrencyLimit: 10,
  };
}

type WsFlavour = 'plain' | 'deflate' | 'deflate-bounded';

/** Which WebSocketServer takes an upgrade: whether it negotiates compression, and with which client window. */
function wsFlavour(req: IncomingMessage, compression: boolean): WsFlavour {
  if (!compression || new URL(req.url ?? '/', 'http://x').searchParams.get('compress') !== 'deflate') return 'plain';
  // RFC 7692 §7.1.2.2: the server may name the client's window only where the offer has
  // client_max_window_bits without a value (ws refuses the offer otherwise); with a value the client chose.
  return /client_max_window_bits(?!\s*=)/i.test(req.headers['sec-websocket-extensions'] ?? '') ? 'deflate-bounded' : 'deflate';
}

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
  // ws fixes maxPayload and the compression it negotiates per server; one is made for each,
  // again when the limit changes (upgrades are cheap to route). ws bounds an inflated message
  // by maxPayload too (1009 when over), so a compressed frame is held to max_frame_bytes.
  const servers = new Map<WsFlavour, WebSocketServer>();
  const currentWss = (flavour: WsFlavour) => {
    const maxPayload = ctx.maxFrameBytes();
    let wss = servers.get(flavour);
    if (wss?.options.maxPayload !== maxPayload) {
      wss = new WebSocketServer({ noServer: true, perMessageDeflate: flavour === 'plain' ? false : deflateOptions(flavour === 'deflate-bounded'), maxPayload });
      servers.set(flavour, wss);
    }
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
    currentWss(wsFlavour(req, ctx.compression())).handleUpgrade(req, socket, head, (ws) => ctx.onWebSocket(ws, socket, req));
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
