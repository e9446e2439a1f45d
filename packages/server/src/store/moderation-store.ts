import type { StoredRoomModes } from './directory-store.ts';

/**
 * The moderation part of the store: server roles, bans, the audit log, disabled commands, room
 * modes and room grants.
 *
 * Concurrency: these are written by the server's nodes and by `parley admin` on the same
 * database. Each method is atomic on its own; writes are last-writer-wins per row (a ban per
 * (scope, kind, value), a grant per (room, user, kind)). Every write of roles, bans or disabled
 * commands raises moderationVersion in the same transaction, so a node that polls it (or is told
 * by the bus) and then re-reads sees at least that write. Room modes and grants are not versioned:
 * the node that changes them tells the others over the bus.
 */

/** Roles stored per account; `user` and `guest` are implicit. */
export type StoredServerRole = 'owner' | 'operator';

export interface ServerRoleRecord {
  accountId: number;
  name: string;
  role: StoredServerRole;
  grantedBy: string;
  grantedAt: number;
}

export type BanKind = 'account' | 'ip' | 'key';
/** A ban's scope: the whole server, or one room (its key, "#room"). */
export const SERVER_SCOPE = 'server';

export interface NewBan {
  scope: string;
  kind: BanKind;
  /** Account name key, IP address or CIDR ("10.0.0.0/8", "2001:db8::/32"), or key fingerprint. */
  value: string;
  reason: string;
  createdBy: string;
  /** Ms since epoch, or null for permanent. */
  expiresAt: number | null;
}

export interface BanRecord extends NewBan {
  id: number;
  createdAt: number;
}

export interface NewAuditEntry {
  at: number;
  /** Who acted: a user name, "admin" (CLI), "console", or "server". */
  actor: string;
  action: string;
  target: string;
  /** Free text or JSON with the details. */
  detail: string;
}

export interface AuditEntry extends NewAuditEntry {
  id: number;
}

export type RoomGrantKind = 'owner' | 'moderator' | 'muted' | 'invited';

export interface RoomGrant {
  roomKey: string;
  /** A user id: "a<account id>" or a guest's "g<random>". */
  userId: string;
  kind: RoomGrantKind;
  grantedBy: string;
  grantedAt: number;
}

export interface ModerationStore {
  /** Sets an account's stored server role; null removes it (back to plain `user`). */
  setServerRole(accountId: number, role: StoredServerRole | null, grantedBy: string): Promise<void>;
  /** Every account with a stored role, by account id. */
  listServerRoles(): Promise<ServerRoleRecord[]>;

  /**
   * Adds a ban, replacing one with the same (scope, kind, value): a second ban of the same
   * target updates its reason, author and expiry. Returns the stored ban.
   */
  addBan(ban: NewBan): Promise<BanRecord>;
  /** False when no such ban existed. */
  removeBan(scope: string, kind: BanKind, value: string): Promise<boolean>;
  /** Bans in id order; with `now`, only those not expired at that time; with `scope`, only that scope. */
  listBans(query?: { scope?: string; now?: number }): Promise<BanRecord[]>;
  /** Deletes bans that expired at or before `now` (they no longer match anyone); returns how many. */
  deleteExpiredBans(now: number): Promise<number>;

  /** Appends one audit entry; ids increase in commit order, from any process. */
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Newest first; with `before`, only entries with a smaller id. */
  listAudit(query: { limit: number; before?: number }): Promise<AuditEntry[]>;
  /** Deletes audit entries recorded before `at` (ms since epoch); returns how many. */
  deleteAuditBefore(at: number): Promise<number>;

  /** Idempotent. */
  setCommandDisabled(verb: string, disabled: boolean, by: string): Promise<void>;
  listDisabledCommands(): Promise<string[]>;

  /** An unknown room is a no-op (only the store's own failures reject). */
  setRoomModes(roomKey: string, modes: StoredRoomModes): Promise<void>;
  /** Idempotent either way. Grants vanish with their room. */
  setRoomGrant(grant: { roomKey: string; userId: string; kind: RoomGrantKind; grantedBy: string }, on: boolean): Promise<void>;
  /** All grants, or one room's, ordered by room then user. */
  listRoomGrants(roomKey?: string): Promise<RoomGrant[]>;

  /** A number that increases whenever roles, bans or disabled commands change, from any process. */
  moderationVersion(): Promise<number>;
}
