import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
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
import type { SqliteSchema } from './sqlite-rows.ts';
import { oneSync, runSync } from './sqlite-sync.ts';

function toBan(row: Selectable<SqliteSchema['bans']>): BanRecord {
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
 * The moderation half of the SQLite store, on Kysely's typed schema. Every write of roles, bans
 * or disabled commands is one synchronous IMMEDIATE transaction (sqlite-sync.ts says why not
 * Kysely's) that also raises moderation_version, so `parley admin` in another process and the
 * running server agree on when to re-read. Nothing here is on the connect or send path: the
 * server keeps roles, bans and disabled commands in memory and polls the version every
 * moderation.sync_interval_ms, so plain Kysely queries serve.
 */
export class SqliteModeration {
  readonly #sqlite: Database.Database;
  readonly #db: Kysely<SqliteSchema>;
  readonly #file: string;

  constructor(sqlite: Database.Database, db: Kysely<SqliteSchema>, file: string) {
    this.#sqlite = sqlite;
    this.#db = db;
    this.#file = file;
  }

  /** Runs `write` and the version bump in one transaction; throws raw driver errors. */
  #versioned<T>(write: () => T): T {
    const bump = this.#db.updateTable('moderation_version').set((eb) => ({ n: eb('n', '+', 1) })).where('id', '=', 1);
    return this.#sqlite
      .transaction(() => {
        const result = write();
        runSync(this.#sqlite, bump);
        return result;
      })
      .immediate();
  }

  async setServerRole(accountId: number, role: StoredServerRole | null, grantedBy: string): Promise<void> {
    const db = this.#db;
    this.#versioned(() => {
      if (role === null) runSync(this.#sqlite, db.deleteFrom('server_roles').where('account_id', '=', accountId));
      else
        runSync(
          this.#sqlite,
          db
            .insertInto('server_roles')
            .values({ account_id: accountId, role, granted_by: grantedBy, granted_at: Date.now() })
            .onConflict((oc) =>
              oc.column('account_id').doUpdateSet((eb) => ({
                role: eb.ref('excluded.role'),
                granted_by: eb.ref('excluded.granted_by'),
                granted_at: eb.ref('excluded.granted_at'),
              })),
            ),
        );
    });
  }

  async listServerRoles(): Promise<ServerRoleRecord[]> {
    const rows = await this.#db
      .selectFrom('server_roles as r')
      .innerJoin('accounts as a', 'a.id', 'r.account_id')
      .select(['r.account_id', 'a.name', 'r.role', 'r.granted_by', 'r.granted_at'])
      .orderBy('r.account_id')
      .execute();
    return rows.map((r) => ({ accountId: r.account_id, name: r.name, role: r.role, grantedBy: r.granted_by, grantedAt: r.granted_at }));
  }

  async addBan(ban: NewBan): Promise<BanRecord> {
    const insert = this.#db
      .insertInto('bans')
      .values({
        scope: ban.scope,
        kind: ban.kind,
        value: ban.value,
        reason: ban.reason,
        created_by: ban.createdBy,
        created_at: Date.now(),
        expires_at: ban.expiresAt,
      })
      .onConflict((oc) =>
        oc.columns(['scope', 'kind', 'value']).doUpdateSet((eb) => ({
          reason: eb.ref('excluded.reason'),
          created_by: eb.ref('excluded.created_by'),
          created_at: eb.ref('excluded.created_at'),
          expires_at: eb.ref('excluded.expires_at'),
        })),
      )
      .returningAll();
    return toBan(this.#versioned(() => oneSync(this.#sqlite, insert)));
  }

  async removeBan(scope: string, kind: BanKind, value: string): Promise<boolean> {
    const remove = this.#db.deleteFrom('bans').where('scope', '=', scope).where('kind', '=', kind).where('value', '=', value);
    return this.#versioned(() => runSync(this.#sqlite, remove) > 0);
  }

  async deleteExpiredBans(now: number): Promise<number> {
    const remove = this.#db.deleteFrom('bans').where('expires_at', 'is not', null).where('expires_at', '<=', now);
    return this.#versioned(() => runSync(this.#sqlite, remove));
  }

  async listBans(query: { scope?: string; now?: number }): Promise<BanRecord[]> {
    let q = this.#db.selectFrom('bans').selectAll().orderBy('id');
    if (query.scope !== undefined) q = q.where('scope', '=', query.scope);
    const { now } = query;
    if (now !== undefined) q = q.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    return (await q.execute()).map(toBan);
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    const { at, actor, action, target, detail } = entry;
    const { id } = await this.#db.insertInto('audit').values({ at, actor, action, target, detail }).returning('id').executeTakeFirstOrThrow();
    return { id, ...entry };
  }

  async deleteAuditBefore(at: number): Promise<number> {
    const result = await this.#db.deleteFrom('audit').where('at', '<', at).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async listAudit(query: { limit: number; before?: number }): Promise<AuditEntry[]> {
    // SQLite treats a negative LIMIT as "no limit".
    const limit = Math.floor(query.limit);
    if (!(limit > 0)) return [];
    let q = this.#db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(limit);
    if (query.before !== undefined) q = q.where('id', '<', query.before);
    return q.execute();
  }

  async setCommandDisabled(verb: string, disabled: boolean, by: string): Promise<void> {
    const db = this.#db;
    this.#versioned(() => {
      if (disabled) runSync(this.#sqlite, db.insertInto('disabled_commands').orIgnore().values({ verb, disabled_by: by, disabled_at: Date.now() }));
      else runSync(this.#sqlite, db.deleteFrom('disabled_commands').where('verb', '=', verb));
    });
  }

  async listDisabledCommands(): Promise<string[]> {
    const rows = await this.#db.selectFrom('disabled_commands').select('verb').orderBy('verb').execute();
    return rows.map((r) => r.verb);
  }

  async setRoomModes(roomKey: string, modes: StoredRoomModes): Promise<void> {
    await this.#db
      .updateTable('rooms')
      .set({ invite_only: modes.inviteOnly ? 1 : 0, password_hash: modes.passwordHash, moderated: modes.moderated ? 1 : 0, topic_lock: modes.topicLock ? 1 : 0 })
      .where('key', '=', roomKey)
      .execute();
  }

  async setRoomGrant(grant: { roomKey: string; userId: string; kind: RoomGrantKind; grantedBy: string }, on: boolean): Promise<void> {
    const db = this.#db;
    if (on)
      // From rooms, so a grant in a room that does not exist is no row at all (not an error).
      await db
        .insertInto('room_grants')
        .orIgnore()
        .columns(['room_key', 'user_id', 'kind', 'granted_by', 'granted_at'])
        .expression(
          db
            .selectFrom('rooms')
            .select((eb) => ['key', eb.val(grant.userId).as('user_id'), eb.val(grant.kind).as('kind'), eb.val(grant.grantedBy).as('granted_by'), eb.val(Date.now()).as('granted_at')])
            .where('key', '=', grant.roomKey),
        )
        .execute();
    else await db.deleteFrom('room_grants').where('room_key', '=', grant.roomKey).where('user_id', '=', grant.userId).where('kind', '=', grant.kind).execute();
  }

  async listRoomGrants(roomKey?: string): Promise<RoomGrant[]> {
    const q = this.#db.selectFrom('room_grants').selectAll();
    const rows = await (roomKey === undefined ? q.orderBy('room_key') : q.where('room_key', '=', roomKey)).orderBy('user_id').orderBy('kind').execute();
    return rows.map((r) => ({ roomKey: r.room_key, userId: r.user_id, kind: r.kind, grantedBy: r.granted_by, grantedAt: r.granted_at }));
  }

  async moderationVersion(): Promise<number> {
    const row = await this.#db.selectFrom('moderation_version').select('n').where('id', '=', 1).executeTakeFirstOrThrow();
    return row.n;
  }

  sizeBytes(): number {
    if (this.#file === '' || this.#file === ':memory:') {
      const pages = this.#sqlite.pragma('page_count', { simple: true }) as number;
      return pages * (this.#sqlite.pragma('page_size', { simple: true }) as number);
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
