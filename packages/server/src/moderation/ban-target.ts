import { isIP } from 'node:net';
import { nameKey, ParleyError, validateServerName, validateUserName } from '@parley/protocol';
import type { BanKind } from '../store/store.ts';

/**
 * What a BAN names, normalized so the same target always has the same stored value: an account
 * (its name key), an IP address or CIDR (v4 or v6, canonical text), or a public-key fingerprint
 * written "key:<key>": the base64url public key a key login signs in with (docs/protocol.md, "Keys"); it matches at login and closes connections signed in with it.
 */
export interface BanTarget {
  kind: BanKind;
  value: string;
}

/** "::ffff:1.2.3.4" (an IPv4 client on a dual-stack socket) is the IPv4 address 1.2.3.4. */
export function normalizeIp(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (mapped?.[1] ?? address).toLowerCase();
}

export function parseBanTarget(raw: string): BanTarget {
  const text = raw.trim();
  if (/^key:/i.test(text)) {
    const fingerprint = text.slice(4).trim();
    if (!/^[A-Za-z0-9+/=:_-]{8,200}$/.test(fingerprint)) throw new ParleyError('BAD_ARGUMENTS', 'A key ban is "key:<fingerprint>"');
    return { kind: 'key', value: fingerprint };
  }
  const slash = text.indexOf('/');
  if (slash > 0) {
    const address = normalizeIp(text.slice(0, slash));
    const family = isIP(address);
    const prefix = Number(text.slice(slash + 1));
    const max = family === 4 ? 32 : 128;
    if (family === 0 || !/^\d{1,3}$/.test(text.slice(slash + 1)) || prefix > max) {
      throw new ParleyError('BAD_ARGUMENTS', `"${text.slice(0, 60)}" is not a CIDR such as 10.0.0.0/8 or 2001:db8::/32`);
    }
    return { kind: 'ip', value: `${address}/${prefix}` };
  }
  if (isIP(text) !== 0) return { kind: 'ip', value: normalizeIp(text) };
  const at = text.lastIndexOf('@');
  // A user of another server (federation): banned from rooms homed here, matched at its joins and sends.
  if (at > 0) return { kind: 'account', value: remoteAccountKey(text.slice(0, at), text.slice(at + 1)) };
  return { kind: 'account', value: nameKey(validateUserName(text)) };
}

/** The ban value of `name@server`, as bans on users of other servers are stored and matched. */
export function remoteAccountKey(name: string, server: string): string {
  return `${nameKey(validateUserName(name))}@${validateServerName(server)}`;
}
