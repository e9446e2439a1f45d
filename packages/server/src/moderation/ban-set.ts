import { BlockList, isIP } from 'node:net';
import { SERVER_SCOPE, type BanRecord } from '../store/store.ts';
import { normalizeIp } from './ban-target.ts';

/** Who a connection or user is, as far as bans can tell. */
export interface BanSubject {
  ip?: string;
  /** Account name key (guests have none). */
  account?: string;
  /** The public key a key login signed in with (base64url, as `BAN key:<key>` names it). */
  key?: string;
}

interface IpBan {
  ban: BanRecord;
  list: BlockList;
}

function blockListFor(value: string): BlockList | undefined {
  const list = new BlockList();
  const slash = value.indexOf('/');
  const address = slash > 0 ? value.slice(0, slash) : value;
  const family = isIP(address);
  if (family === 0) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash > 0) list.addSubnet(address, Number(value.slice(slash + 1)), type);
  else list.addAddress(address, type);
  return list;
}

/**
 * The bans in force, indexed for matching: account and key bans by value, IP and CIDR bans
 * each with a node:net BlockList (v4 and v6 subnets). Expiry is checked at match time, so a
 * lapsed ban stops matching the moment it expires, before the store is re-read.
 */
export class BanSet {
  private readonly byValue = new Map<string, BanRecord>();
  private readonly ipBans = new Map<string, IpBan[]>();

  constructor(readonly bans: readonly BanRecord[]) {
    for (const ban of bans) {
      if (ban.kind === 'ip') {
        const list = blockListFor(ban.value);
        if (!list) continue;
        const scoped = this.ipBans.get(ban.scope) ?? [];
        scoped.push({ ban, list });
        this.ipBans.set(ban.scope, scoped);
      } else {
        this.byValue.set(`${ban.scope}\n${ban.kind}\n${ban.value}`, ban);
      }
    }
  }

  /** The first ban in `scope` (SERVER_SCOPE or a room key) that matches the subject now. */
  match(scope: string, subject: BanSubject, now = Date.now()): BanRecord | undefined {
    const byAccount = subject.account === undefined ? undefined : live(this.byValue.get(`${scope}\naccount\n${subject.account}`), now);
    if (byAccount) return byAccount;
    const byKey = subject.key === undefined ? undefined : live(this.byValue.get(`${scope}\nkey\n${subject.key}`), now);
    if (byKey) return byKey;
    if (subject.ip === undefined) return undefined;
    const ip = normalizeIp(subject.ip);
    const family = isIP(ip);
    if (family === 0) return undefined;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    for (const { ban, list } of this.ipBans.get(scope) ?? []) {
      if (live(ban, now) && list.check(ip, type)) return ban;
    }
    return undefined;
  }

  matchServer(subject: BanSubject, now = Date.now()): BanRecord | undefined {
    return this.match(SERVER_SCOPE, subject, now);
  }

  /** Active bans, optionally of one scope. */
  active(scope?: string, now = Date.now()): BanRecord[] {
    return this.bans.filter((b) => (scope === undefined || b.scope === scope) && (b.expiresAt === null || b.expiresAt > now));
  }
}

/** The ban if it has not expired. A module function: every connect and login asks (no closure per call). */
function live(ban: BanRecord | undefined, now: number): BanRecord | undefined {
  return ban && (ban.expiresAt === null || ban.expiresAt > now) ? ban : undefined;
}
