import { isIP } from 'node:net';

interface Bound {
  host: string;
  port: number;
  tls: boolean;
}

/** 127.0.0.0/8, ::1 and localhost: traffic there never leaves the machine. */
function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/**
 * One warning per listener that serves without encryption beyond this machine: Parley is
 * encrypted by default, so plaintext on a public address is worth saying out loud at every
 * start (it is fine behind a TLS-terminating proxy, which is what the warning suggests).
 */
export function plaintextWarnings(listeners: { tcp: readonly Bound[]; http: readonly Bound[] }): string[] {
  const where = (a: Bound) => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);
  return [
    ...listeners.tcp
      .filter((a) => !a.tls && !isLoopback(a.host))
      .map((a) => `plaintext TCP on ${where(a)}: messages and passwords cross the network unencrypted; use TLS (drop "tcp://") unless a TLS proxy is in front`),
    ...listeners.http
      .filter((a) => !a.tls && !isLoopback(a.host))
      .map((a) => `plain HTTP on ${where(a)}: the web client's passwords and messages cross the network unencrypted; use "https://${where(a)}" or a TLS proxy in front`),
  ];
}
