import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type {
  AuditEntry,
  BanKind,
  BanRecord,
  NewAuditEntry,
  NewBan,
  RoomGrant,
  RoomGrantKind,
  ServerRoleRecord,
  StoredRoomModes,
  StoredServerRole,
} from '../store.ts';

interface BanRow {
  id: number;
  scope: string;
  kind: BanKind;
  value: string;
  reason: string;
  created_by: string;
  created_at: number;
  expires_at: number | null;
}

function toBan(row: BanRow): BanRecord {
  return {
    id: row.id,
    scope: row.scope,
    kind: row.kind,
    value: row.value,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/**
 * The moderation half of the SQLite store, on plain prepared statements: each write is one
 * synchronous transaction that also raises moderation_version, so `parley admin` in another
 * process and the running server agree on when to re-read.
 */
export class SqliteModeration {
  readonly #db: Database.Database;
  readonly #file: string;
  readonly #bump: Database.Statement;

  constructor(db: Database.Database, file: string) {
    this.#db = db;
    this.#file = file;
    this.#bump = db.prepare('UPDATE moderation_version SET n = n + 1 WHERE id = 1');
  }

  #write<TArgs extends unknown[], TResult>(fn: (...args: TArgs) => TResult): (...args: TArgs) => TResult {
    const tx = this.#db.transaction((...args: TArgs) => {
      const result = fn(...args);
      this.#bump.run();
      return result;
    });
    return (...args: TArgs) => tx.immediate(...args);
  }

  setServerRole(accountId: number, role: StoredServerRole | null, grantedBy: string): void {
    this.#write(() => {
      if (role === null) this.#db.prepare('DELETE FROM server_roles WHERE account_id = ?').run(accountId);
      else
        this.#db
          .prepare(
            `INSERT INTO server_roles (account_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (account_id) DO UPDATE SET role = excluded.role, granted_by = excluded.granted_by, granted_at = excluded.granted_at`,
          )
          .run(accountId, role, grantedBy, Date.now());
    })();
  }

  listServerRoles(): ServerRoleRecord[] {
    const rows = this.#db
      .prepare(
        `SELECT r.account_id, a.name, r.role, r.granted_by, r.granted_at
         FROM server_roles r JOIN accounts a ON a.id = r.account_id ORDER BY r.account_id`,
      )
      .all() as { account_id: number; name: string; role: StoredServerRole; granted_by: string; granted_at: number }[];
    return rows.map((r) => ({ accountId: r.account_id, name: r.name, role: r.role, grantedBy: r.granted_by, grantedAt: r.granted_at }));
  }

  addBan(ban: NewBan): BanRecord {
    return this.#write(() => {
      const row = this.#db
        .prepare(
          `INSERT INTO bans (scope, kind, value, reason, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (scope, kind, value) DO UPDATE SET reason = excluded.reason, created_by = excluded.created_by,
             created_at = excluded.created_at, expires_at = excluded.expires_at
           RETURNING *`,
        )
        .get(ban.scope, ban.kind, ban.value, ban.reason, ban.createdBy, Date.now(), ban.expiresAt) as BanRow;
      return toBan(row);
    })();
  }

  removeBan(scope: string, kind: BanKind, value: string): boolean {
    return this.#write(() => this.#db.prepare('DELETE FROM bans WHERE scope = ? AND kind = ? AND value = ?').run(scope, kind, value).changes > 0)();
  }

  deleteExpiredBans(now: number): number {
    return this.#write(() => this.#db.prepare('DELETE FROM bans WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now).changes)();
  }

  listBans(query: { scope?: string; now?: number }): BanRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.scope !== undefined) {
      where.push('scope = ?');
      params.push(query.scope);
    }
    if (query.now !== undefined) {
      where.push('(expires_at IS NULL OR expires_at > ?)');
      params.push(query.now);
    }
    const sql = `SELECT * FROM bans${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (this.#db.prepare(sql).all(...params) as BanRow[]).map(toBan);
  }

  appendAudit(entry: NewAuditEntry): AuditEntry {
    const result = this.#db
      .prepare('INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)')
      .run(entry.at, entry.actor, entry.action, entry.target, entry.detail);
    return { id: Number(result.lastInsertRowid), ...entry };
  }

  deleteAuditBefore(at: number): number {
    return this.#db.prepare('DELETE FROM audit WHERE at < ?').run(at).changes;
  }

  listAudit(query: { limit: number; before?: number }): AuditEntry[] {
    const limit = Math.floor(query.limit);
    if (!(limit > 0)) return [];
    const rows =
      query.before === undefined
        ? this.#db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit)
        : this.#db.prepare('SELECT * FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?').all(query.before, limit);
    return rows as AuditEntry[];
  }

  setCommandDisabled(verb: string, disabled: boolean, by: string): void {
    this.#write(() => {
      if (disabled)
        this.#db.prepare('INSERT OR IGNORE INTO disabled_commands (verb, disabled_by, disabled_at) VALUES (?, ?, ?)').run(verb, by, Date.now());
      else this.#db.prepare('DELETE FROM disabled_commands WHERE verb = ?').run(verb);
    })();
  }

  listDisabledCommands(): string[] {
    return this.#db.prepare('SELECT verb FROM disabled_commands ORDER BY verb').pluck().all() as string[];
  }

  setRoomModes(roomKey: string, modes: StoredRoomModes): void {
    this.#db
      .prepare('UPDATE rooms SET invite_only = ?, password_hash = ?, moderated = ?, topic_lock = ? WHERE key = ?')
      .run(modes.inviteOnly ? 1 : 0, modes.passwordHash, modes.moderated ? 1 : 0, modes.topicLock ? 1 : 0, roomKey);
  }

  setRoomGrant(grant: { roomKey: string; userId: string; kind: RoomGrantKind; grantedBy: string }, on: boolean): void {
    if (on)
      this.#db
        .prepare('INSERT OR IGNORE INTO room_grants (room_key, user_id, kind, granted_by, granted_at) SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM rooms WHERE key = ?)')
        .run(grant.roomKey, grant.userId, grant.kind, grant.grantedBy, Date.now(), grant.roomKey);
    else this.#db.prepare('DELETE FROM room_grants WHERE room_key = ? AND user_id = ? AND kind = ?').run(grant.roomKey, grant.userId, grant.kind);
  }

  listRoomGrants(roomKey?: string): RoomGrant[] {
    const rows = (
      roomKey === undefined
        ? this.#db.prepare('SELECT * FROM room_grants ORDER BY room_key, user_id, kind').all()
        : this.#db.prepare('SELECT * FROM room_grants WHERE room_key = ? ORDER BY user_id, kind').all(roomKey)
    ) as { room_key: string; user_id: string; kind: RoomGrantKind; granted_by: string; granted_at: number }[];
    return rows.map((r) => ({ roomKey: r.room_key, userId: r.user_id, kind: r.kind, grantedBy: r.granted_by, grantedAt: r.granted_at }));
  }

  moderationVersion(): number {
    return this.#db.prepare('SELECT n FROM moderation_version WHERE id = 1').pluck().get() as number;
  }

  sizeBytes(): number {
    if (this.#file === '' || this.#file === ':memory:') {
      const pages = this.#db.pragma('page_count', { simple: true }) as number;
      return pages * (this.#db.pragma('page_size', { simple: true }) as number);
    }
    let total = 0;
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        total += fs.statSync(this.#file + suffix).size;
      } catch {
        // The WAL and shared-memory files come and go with checkpoints.
      }
    }
    return total;
  }
}
