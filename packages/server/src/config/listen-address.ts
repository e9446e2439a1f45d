import { isIPv4, isIPv6 } from 'node:net';

/**
 * One socket a listener binds. `tls`: TLS for a TCP listener, HTTPS (and `wss://`) for an HTTP
 * listener; both use the certificate of `tls.cert_file`/`tls.key_file`, or the self-signed one.
 */
export interface ListenAddress {
  host: string;
  port: number;
  tls: boolean;
}

// RFC 1123 labels; kept deliberately strict because a typo'd host should fail at startup, not
// as a confusing DNS error when the listener binds.
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

function fail(entry: string, why: string): never {
  throw new Error(`invalid listen address "${entry}": ${why}`);
}

function checkHost(entry: string, host: string): void {
  if (host === '') fail(entry, 'missing host (use 0.0.0.0 or [::] to listen on all interfaces)');
  if (isIPv4(host)) return;
  if (host.includes(':')) fail(entry, 'IPv6 addresses must be in brackets, e.g. [::1]:12345');
  // All-numeric dotted names are never hostnames; "999.1.1.1" is a mistyped IPv4 address.
  if (/^[\d.]+$/.test(host)) fail(entry, `"${host}" is not a valid IPv4 address`);
  const labels = host.endsWith('.') ? host.slice(0, -1).split('.') : host.split('.');
  if (host.length > 253 || !labels.every((l) => HOST_LABEL.test(l))) {
    fail(entry, `"${host}" is not a valid hostname or IP address`);
  }
}

function checkPort(entry: string, text: string): number {
  if (text === '') fail(entry, 'missing port');
  if (!/^\d{1,5}$/.test(text)) fail(entry, `port "${text}" is not an integer`);
  const port = Number(text);
  if (port > 65535) fail(entry, `port ${port} is out of range 0-65535`);
  return port;
}

/** Which schemes a kind of listener takes, whether each means TLS, and what a bare entry means. */
interface Schemes {
  tls: Record<string, boolean>;
  bareIsTls: boolean;
}

const TCP_SCHEMES: Schemes = { tls: { tcp: false, tls: true }, bareIsTls: true };
// tcp:// and tls:// too, so one spelling works in both lists.
const HTTP_SCHEMES: Schemes = { tls: { http: false, https: true, tcp: false, tls: true }, bareIsTls: false };

/**
 * Parses a TCP listener's `host:port`, `[v6addr]:port`, `tcp://host:port` or `tls://host:port`.
 * Bare `host:port` means TLS: plaintext has to be asked for explicitly with `tcp://`.
 * Port 0 is allowed so tests can ask the OS for a free port.
 */
export function parseListenAddress(entry: string): ListenAddress {
  return parseWith(entry, TCP_SCHEMES);
}

/**
 * Parses an HTTP listener's `host:port` or `http://host:port` (plain HTTP and `ws://`), or
 * `https://host:port` (HTTPS and `wss://`). Bare means plain HTTP, as browsers assume.
 */
export function parseHttpListenAddress(entry: string): ListenAddress {
  return parseWith(entry, HTTP_SCHEMES);
}

function parseWith(entry: string, schemes: Schemes): ListenAddress {
  let rest = entry;
  let tls = schemes.bareIsTls;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(entry);
  if (scheme) {
    const name = (scheme[1] ?? '').toLowerCase();
    const known = schemes.tls[name];
    if (known === undefined) fail(entry, `unsupported scheme "${name}://" (use ${Object.keys(schemes.tls).map((s) => `${s}://`).join(' or ')})`);
    tls = known;
    rest = entry.slice(scheme[0].length);
  }

  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) fail(entry, 'missing "]" after IPv6 address');
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (!after.startsWith(':')) fail(entry, 'expected ":port" after "]"');
    portText = after.slice(1);
    if (!isIPv6(host)) fail(entry, `"${host}" is not a valid IPv6 address`);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) fail(entry, 'missing ":port"');
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    checkHost(entry, host);
  }
  return { host, port: checkPort(entry, portText), tls };
}

/** `host:port`, with IPv6 hosts bracketed so the port stays unambiguous in logs. */
export function formatListenAddress(addr: Pick<ListenAddress, 'host' | 'port'>): string {
  return addr.host.includes(':') ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`;
}

/** A federation peer to dial: "host:port" (TLS, as every link), optionally with the server id it must prove. */
export interface PeerAddress {
  host: string;
  port: number;
  id: string | undefined;
}

export function parsePeerAddress(entry: string): PeerAddress {
  const at = entry.indexOf('@');
  const id = at > 0 ? entry.slice(0, at) : undefined;
  if (id !== undefined && !/^ps1[A-Za-z0-9_-]{43}$/.test(id)) fail(entry, `"${id}" is not a server id ("ps1" and 43 base64url characters)`);
  const rest = at > 0 ? entry.slice(at + 1) : entry;
  if (/^[a-z]+:\/\//i.test(rest)) fail(entry, 'federation peers are "host:port" or "<server id>@host:port" (links are always TLS)');
  const { host, port } = parseListenAddress(rest);
  return { host, port, id };
}
