import { isIP } from 'node:net';
import { ParleyError } from '@parley/protocol';
import type { Limits } from '../config/schema.ts';
import { KeyedBuckets } from '../core/rate-limit.ts';
import type { BanSet } from './ban-set.ts';
import { normalizeIp } from './ban-target.ts';

/** The network an address belongs to for max_connections_per_cidr: "10.1.2.0/24", "2001:db8::/64". */
export function networkOf(ip: string, prefixV4: number, prefixV6: number): string {
  const address = normalizeIp(ip);
  const family = isIP(address);
  if (family === 4) {
    const value = address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
    const size = 2 ** (32 - prefixV4);
    const base = Math.floor(value / size) * size;
    return `${[24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join('.')}/${prefixV4}`;
  }
  if (family === 6) {
    const bits = expandV6(address);
    return `${bits.slice(0, prefixV6).padEnd(128, '0')}/${prefixV6}`;
  }
  return address;
}

/** An IPv6 address as 128 '0'/'1' characters. */
function expandV6(address: string): string {
  const [head = '', tail = ''] = address.split('::');
  const parts = (s: string) => (s === '' ? [] : s.split(':'));
  const left = parts(head);
  const right = address.includes('::') ? parts(tail) : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16).toString(2).padStart(16, '0')).join('');
}

/**
 * Admission of new connections, checked before a session exists: server IP/CIDR bans, then
 * concurrent connections per IP and per network, then the rate of new connections per IP.
 * Exempt addresses (moderation.exempt_addresses) skip the last two, never the bans.
 * `opened`/`closed` keep the counts; the server calls them for every admitted connection.
 */
export class ConnectionGuard {
  private readonly perIp = new Map<string, number>();
  private readonly perNetwork = new Map<string, number>();
  private readonly newConnections: KeyedBuckets;

  constructor(
    private readonly limits: () => Limits,
    private readonly bans: () => BanSet,
    private readonly exempt: (ip: string) => boolean,
  ) {
    this.newConnections = new KeyedBuckets(() => {
      const l = this.limits();
      return { perMinute: l.new_connections_per_second_per_ip * 60, burst: l.new_connection_burst_per_ip };
    });
  }

  private network(ip: string): string {
    const l = this.limits();
    return networkOf(ip, l.cidr_prefix_v4, l.cidr_prefix_v6);
  }

  /** Undefined when the connection may proceed, otherwise the reason to refuse it. */
  admit(rawIp: string, now = Date.now()): ParleyError | undefined {
    const ip = normalizeIp(rawIp);
    const limits = this.limits();
    const ban = this.bans().matchServer({ ip }, now);
    if (ban) return new ParleyError('BANNED', `This address is banned${ban.reason ? `: ${ban.reason}` : ''}`);
    if ((this.perIp.get(ip) ?? 0) >= limits.max_connections_per_ip) {
      return new ParleyError('TOO_MANY_CONNECTIONS', `At most ${limits.max_connections_per_ip} connections per address`);
    }
    if (this.exempt(ip)) return undefined;
    if ((this.perNetwork.get(this.network(ip)) ?? 0) >= limits.max_connections_per_cidr) {
      return new ParleyError('TOO_MANY_CONNECTIONS', `At most ${limits.max_connections_per_cidr} connections per network`);
    }
    const wait = this.newConnections.take(ip, now);
    if (wait > 0) return new ParleyError('TOO_MANY_CONNECTIONS', 'Connecting too fast from this address', { retryAfterMs: wait });
    return undefined;
  }

  opened(rawIp: string): void {
    const ip = normalizeIp(rawIp);
    const network = this.network(ip);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    this.perNetwork.set(network, (this.perNetwork.get(network) ?? 0) + 1);
  }

  closed(rawIp: string): void {
    const ip = normalizeIp(rawIp);
    decrement(this.perIp, ip);
    decrement(this.perNetwork, this.network(ip));
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const left = (map.get(key) ?? 1) - 1;
  if (left > 0) map.set(key, left);
  else map.delete(key);
}
