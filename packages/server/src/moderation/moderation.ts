import { readFile } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import { isVerb, type ServerRole, type Verb } from '@parley/protocol';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { KeyedBuckets, TokenBucket } from '../core/rate-limit.ts';
import type { Session } from '../core/session.ts';
import type { User } from '../chat/user.ts';
import { SERVER_SCOPE, type BanRecord, type Store, type StoredServerRole } from '../store/store.ts';
import { BanSet } from './ban-set.ts';
import { normalizeIp, parseBanTarget } from './ban-target.ts';
import { ConnectionGuard } from './connection-guard.ts';
import { LoginGuard } from './login-guard.ts';
import type { OperPassword } from './oper-password.ts';

/**
 * The server's in-memory copy of roles, bans and disabled commands, plus the abuse guards.
 * The store is the truth: every change made here is written there first (write-through), and
 * changes made by `parley admin` in another process are picked up by `sync`, which re-reads
 * everything when the store's moderation version moved (polled every sync_interval_ms).
 */
export class Moderation {
  private roles = new Map<number, StoredServerRole>();
  private storeBans: BanRecord[] = [];
  private fileBans: BanRecord[] = [];
  bans = new BanSet([]);
  disabled = new Set<Verb>();
  private version = -1;
  private readonly elevated = new WeakSet<Session>();
  private readonly consoles = new WeakSet<Session>();
  readonly logins: LoginGuard;
  readonly connections: ConnectionGuard;
  readonly guests: KeyedBuckets;
  private readonly joinRates = new WeakMap<User, TokenBucket>();
  private readonly commandRates = new WeakMap<Session, TokenBucket>();
  oper: OperPassword | undefined;
  private exempt: { from: readonly string[]; list: BlockList; answers: Map<string, boolean> } | undefined;

  constructor(
    private readonly store: Store,
    private readonly config: () => Config,
    private readonly log: Logger,
  ) {
    this.logins = new LoginGuard(() => this.config().limits);
    this.connections = new ConnectionGuard(() => this.config().limits, () => this.bans, (ip) => this.isExempt(ip));
    this.guests = new KeyedBuckets(() => ({ perMinute: this.config().limits.guests_per_minute_per_ip, burst: this.config().limits.guest_burst_per_ip }));
  }

  /** Re-reads everything from the store. */
  async load(): Promise<void> {
    const version = await this.store.moderationVersion();
    const [roles, bans, disabled] = await Promise.all([this.store.listServerRoles(), this.store.listBans(), this.store.listDisabledCommands()]);
    this.roles = new Map(roles.map((r) => [r.accountId, r.role]));
    this.storeBans = bans;
    this.disabled = new Set(disabled.filter(isVerb));
    this.rebuildBans();
    this.version = version;
  }

  /** Re-reads when another process (or this one) changed moderation data; true when it did. */
  async sync(): Promise<boolean> {
    if ((await this.store.moderationVersion()) === this.version) return false;
    await this.load();
    return true;
  }

  /** Reads moderation.bans_file (server bans, one per line). Errors are logged, never thrown. */
  async loadBansFile(): Promise<void> {
    const file = this.config().moderation.bans_file;
    const bans: BanRecord[] = [];
    if (file !== '') {
      try {
        const lines = (await readFile(file, 'utf8')).split('\n');
        lines.forEach((line, i) => {
          const [target = '', ...reason] = line.replace(/#.*$/, '').trim().split(/\s+/);
          if (target === '') return;
          try {
            const { kind, value } = parseBanTarget(target);
            bans.push({ id: -(i + 1), scope: SERVER_SCOPE, kind, value, reason: reason.join(' '), createdBy: 'bans-file', createdAt: 0, expiresAt: null });
          } catch {
            this.log.warn({ file, line: i + 1 }, 'bans file: not a name, address, CIDR or key; line ignored');
          }
        });
      } catch (err) {
        this.log.error({ err, file }, 'bans file could not be read; keeping no file bans');
      }
    }
    this.fileBans = bans;
    this.rebuildBans();
  }

  private rebuildBans(): void {
    this.bans = new BanSet([...this.fileBans, ...this.storeBans]);
  }

  /** moderation.exempt_addresses: spared the per-address throttles (never bans). */
  isExempt(rawIp: string): boolean {
    const from = this.config().moderation.exempt_addresses;
    if (this.exempt?.from !== from) {
      const list = new BlockList();
      for (const entry of from) {
        const [address = '', prefix] = entry.split('/');
        const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
        if (prefix === undefined) list.addAddress(address, type);
        else list.addSubnet(address, Number(prefix), type);
      }
      this.exempt = { from, list, answers: new Map() };
    }
    // BlockList.check builds a SocketAddress per call (measured: 3% of a connect's CPU); the
    // answer for an address only changes with the configured list, so it is remembered.
    const known = this.exempt.answers.get(rawIp);
    if (known !== undefined) return known;
    const ip = normalizeIp(rawIp);
    const family = isIP(ip);
    const exempt = family !== 0 && this.exempt.list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
    if (this.exempt.answers.size >= MAX_REMEMBERED_ADDRESSES) this.exempt.answers.clear();
    this.exempt.answers.set(rawIp, exempt);
    return exempt;
  }

  accountRole(accountId: number | undefined): ServerRole {
    if (accountId === undefined) return 'guest';
    return this.roles.get(accountId) ?? 'user';
  }

  /** The role a command runs with: the account's, raised to operator by a successful /oper. */
  roleOf(session: Session): ServerRole {
    if (this.consoles.has(session)) return 'owner';
    const role = this.accountRole(session.user?.accountId);
    return this.elevated.has(session) && (role === 'guest' || role === 'user') ? 'operator' : role;
  }

  elevate(session: Session): void {
    this.elevated.add(session);
  }

  /** The server console (moderation/console-session.ts) acts with the owner role. */
  markConsole(session: Session): void {
    this.consoles.add(session);
  }

  isElevated(session: Session): boolean {
    return this.elevated.has(session);
  }

  /** Joins and room creations per user (limits.joins_per_minute). 0 or ms to wait. */
  takeJoin(user: User): number {
    let bucket = this.joinRates.get(user);
    if (!bucket) {
      const { joins_per_minute: perMinute, join_burst: burst } = this.config().limits;
      bucket = new TokenBucket(perMinute, burst);
      this.joinRates.set(user, bucket);
    }
    return bucket.take();
  }

  /** Every command of a connection, logged in or not. 0 or ms to wait. */
  takeCommand(session: Session): number {
    let bucket = this.commandRates.get(session);
    if (!bucket) {
      const { commands_per_minute_per_connection: perMinute, command_burst_per_connection: burst } = this.config().limits;
      bucket = new TokenBucket(perMinute, burst);
      this.commandRates.set(session, bucket);
    }
    return bucket.take();
  }
}

/** Exemption answers remembered per address before the memo starts over (bounds its memory). */
const MAX_REMEMBERED_ADDRESSES = 10_000;
