import { DEFAULT_TLS_PORT } from '@parley/protocol';

export type ServerScheme = 'tls' | 'tcp' | 'ws' | 'wss';

export interface ServerUrl {
  scheme: ServerScheme;
  host: string;
  port: number;
  /** WebSocket path, "/ws" unless the URL names another. */
  path: string;
  /** The URL as given, normalised, for messages and known-hosts entries. */
  href: string;
}

const DEFAULT_PORTS: Record<ServerScheme, number> = { tls: DEFAULT_TLS_PORT, tcp: DEFAULT_TLS_PORT, ws: 80, wss: 443 };

/** Parses `tls://host[:port]`, `tcp://host:port`, `ws://host[:port][/path]`, `wss://…`; bare `host[:port]` means tls. */
export function parseServerUrl(input: string): ServerUrl {
  const withScheme = /^[a-z]+:\/\//i.test(input) ? input : `tls://${input}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`Not a server URL: "${input}" (try tls://host:12345 or ws://host:8080/ws)`);
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme !== 'tls' && scheme !== 'tcp' && scheme !== 'ws' && scheme !== 'wss') {
    throw new Error(`Unsupported scheme "${scheme}:" in "${input}"; use tls, tcp, ws or wss`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new Error(`No host in "${input}"`);
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[scheme];
  const path = scheme === 'ws' || scheme === 'wss' ? (url.pathname && url.pathname !== '/' ? url.pathname : '/ws') : '';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { scheme, host, port, path, href: `${scheme}://${hostPart}:${port}${path}` };
}
