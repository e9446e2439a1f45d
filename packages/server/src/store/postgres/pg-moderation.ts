import { sql, type Kysely, type Transaction } from 'kysely';
import type {
  AuditEntry,
  BanKind,
  BanRecord,
  ModerationStore,
  NewAuditEntry,
  NewBan,
  RoomGrant,
  RoomGrantKind,
  ServerRoleRecord,
  StoredRoomModes,
  StoredServerRole,
} from '../store.ts';
import { pgErrorCode } from './pg-errors.ts';
import type { PgContext } from './pg-context.ts';
import { toAuditEntry, toBan, type PgSchema } from './pg-rows.ts';

/**
 * Moderation on PostgreSQL. Every write of roles, bans or disabled commands is one
 * transaction that also raises moderation_version, so a node that reads the version and then
 * re-reads sees at least that write (the version's row lock also orders these writes).
 */
export class PgModeration implements ModerationStore {
  constructor(private readonly ctx: PgContext) {}

  #write<T>(action: string, fn: (trx: Transaction<PgSchema>) => Promise<T>): Promise<T> {
    return this.ctx.run(action, (db) =>
      db.transaction().execute(async (trx) => {
        const result = await fn(trx);
        await trx.updateTable('moderation_version').set((eb) => ({ n: eb('n', '+', 1) })).where('id', '=', 1).execute();
        return result;
      }),
    );
  }

  setServerRole(accountId: number, role: StoredServerRole | null, grantedBy: string): Promise<void> {
    return this.#write('setting a server role', async (trx) => {
      if (role === null) {
        await trx.deleteFrom('server_roles').where('account_id', '=', accountId).execute();
        return;
      }
      await trx
        .insertInto('server_roles')
        .values({ account_id: accountId, role, granted_by: grantedBy, granted_at: Date.now() })
        .onConflict((oc) => oc.column('account_id').doUpdateSet((eb) => ({ role: eb.ref('excluded.role'), granted_by: eb.ref('excluded.granted_by'), granted_at: eb.ref('excluded.granted_at') })))
        .execute();
    });
  }

  listServerRoles(): Promise<ServerRoleRecord[]> {
    return this.ctx.run('listing server roles', async (db) => {
      const rows = await db
        .selectFrom('server_roles as r')
        .innerJoin('accounts as a', 'a.id', 'r.account_id')
        .select(['r.account_id', 'a.name', 'r.role', 'r.granted_by', 'r.granted_at'])
        .orderBy('r.account_id')
        .execute();
      return rows.map((r) => ({ accountId: r.account_id, name: r.name, role: r.role, grantedBy: r.granted_by, grantedAt: r.granted_at }));
    });
  }

  addBan(ban: NewBan): Promise<BanRecord> {
    return this.#write('adding a ban', async (trx) => {
      const row = await trx
        .insertInto('bans')
        .values({ scope: ban.scope, kind: ban.kind, value: ban.value, reason: ban.reason, created_by: ban.createdBy, created_at: Date.now(), expires_at: ban.expiresAt })
        .onConflict((oc) =>
          oc.constraint('bans_target').doUpdateSet((eb) => ({
            reason: eb.ref('excluded.reason'),
            created_by: eb.ref('excluded.created_by'),
            created_at: eb.ref('excluded.created_at'),
            expires_at: eb.ref('excluded.expires_at'),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toBan(row);
    });
  }

  removeBan(scope: string, kind: BanKind, value: string): Promise<boolean> {
    return this.#write('removing a ban', async (trx) => {
      const result = await trx.deleteFrom('bans').where('scope', '=', scope).where('kind', '=', kind).where('value', '=', value).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  listBans(query: { scope?: string; now?: number } = {}): Promise<BanRecord[]> {
    return this.ctx.run('listing bans', async (db) => {
      let q = db.selectFrom('bans').selectAll();
      if (query.scope !== undefined) q = q.where('scope', '=', query.scope);
      const now = query.now;
      if (now !== undefined) q = q.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
      return (await q.orderBy('id').execute()).map(toBan);
    });
  }

  deleteExpiredBans(now: number): Promise<number> {
    return this.#write('deleting expired bans', async (trx) => {
      const result = await trx.deleteFrom('bans').where('expires_at', 'is not', null).where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  /**
   * One statement: taking the next id from audit_last_id locks its row until commit, so the
   * next append waits and ids increase in commit order on every node (an identity column
   * would hand them out in start order: a reader could see id 8 before id 7 commits).
   */
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.ctx.run('appending to the audit log', async (db) => {
      const row = await db
        .with('next', (w) => w.updateTable('audit_last_id').set((eb) => ({ n: eb('n', '+', 1) })).where('id', '=', 1).returning('n'))
        .insertInto('audit')
        .columns(['id', 'at', 'actor', 'action', 'target', 'detail'])
        .expression((eb) =>
          // A parameter in a select list is text to PostgreSQL unless cast: `at` is bigint.
          eb.selectFrom('next').select((s) => [
            'next.n',
            s.cast<number>(s.val(entry.at), 'bigint').as('at'),
            s.val(entry.actor).as('actor'),
            s.val(entry.action).as('action'),
            s.val(entry.target).as('target'),
            s.val(entry.detail).as('detail'),
          ]),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAuditEntry(row);
    });
  }

  listAudit(query: { limit: number; before?: number }): Promise<AuditEntry[]> {
    return this.ctx.run('reading the audit log', async (db) => {
      const limit = Math.floor(query.limit);
      if (!(limit > 0)) return [];
      let q = db.selectFrom('audit').selectAll();
      if (query.before !== undefined) q = q.where('id', '<', query.before);
      return (await q.orderBy('id', 'desc').limit(limit).execute()).map(toAuditEntry);
    });
  }

  deleteAuditBefore(at: number): Promise<number> {
    return this.ctx.run('pruning the audit log', async (db) => {
      const result = await db.deleteFrom('audit').where('at', '<', at).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  setCommandDisabled(verb: string, disabled: boolean, by: string): Promise<void> {
    return this.#write('disabling a command', async (trx) => {
      if (disabled) {
        await trx.insertInto('disabled_commands').values({ verb, disabled_by: by, disabled_at: Date.now() }).onConflict((oc) => oc.column('verb').doNothing()).execute();
      } else {
        await trx.deleteFrom('disabled_commands').where('verb', '=', verb).execute();
      }
    });
  }

  listDisabledCommands(): Promise<string[]> {
    return this.ctx.run('listing disabled commands', async (db) => {
      const rows = await db.selectFrom('disabled_commands').select('verb').orderBy('verb').execute();
      return rows.map((r) => r.verb);
    });
  }

  setRoomModes(roomKey: string, modes: StoredRoomModes): Promise<void> {
    return this.ctx.run(`setting the modes of ${roomKey}`, async (db) => {
      await db
        .updateTable('rooms')
        .set({ invite_only: modes.inviteOnly, password_hash: modes.passwordHash, moderated: modes.moderated, topic_lock: modes.topicLock, encrypted: modes.encrypted })
        .where('key', '=', roomKey)
        .execute();
    });
  }

  setRoomGrant(grant: { roomKey: string; userId: string; kind: RoomGrantKind; grantedBy: string }, on: boolean): Promise<void> {
    return this.ctx.run(`changing a grant in ${grant.roomKey}`, async (db) => {
      if (!on) {
        await db.deleteFrom('room_grants').where('room_key', '=', grant.roomKey).where('user_id', '=', grant.userId).where('kind', '=', grant.kind).execute();
        return;
      }
      try {
        await insertGrant(db, grant);
      } catch (err) {
        // The room was deleted on another node between the EXISTS and the insert: a grant
        // of an unknown room is a no-op, as it is when the room was gone before.
        if (pgErrorCode(err) !== '23503') throw err;
      }
    });
  }

  listRoomGrants(roomKey?: string): Promise<RoomGrant[]> {
    return this.ctx.run('listing room grants', async (db) => {
      let q = db.selectFrom('room_grants').selectAll();
      if (roomKey !== undefined) q = q.where('room_key', '=', roomKey);
      const rows = await q.orderBy('room_key').orderBy('user_id').orderBy('kind').execute();
      return rows.map((r) => ({ roomKey: r.room_key, userId: r.user_id, kind: r.kind, grantedBy: r.granted_by, grantedAt: r.granted_at }));
    });
  }

  moderationVersion(): Promise<number> {
    return this.ctx.run('reading the moderation version', async (db) => {
      const row = await db.selectFrom('moderation_version').select('n').where('id', '=', 1).executeTakeFirstOrThrow();
      return row.n;
    });
  }
}

/** Only for an existing room; idempotent. */
async function insertGrant(db: Kysely<PgSchema>, grant: { roomKey: string; userId: string; kind: RoomGrantKind; grantedBy: string }): Promise<void> {
  await db
    .insertInto('room_grants')
    .columns(['room_key', 'user_id', 'kind', 'granted_by', 'granted_at'])
    .expression((eb) =>
      eb
        .selectFrom('rooms')
        .select((s) => ['rooms.key', s.val(grant.userId).as('user_id'), s.val(grant.kind).as('kind'), s.val(grant.grantedBy).as('granted_by'), s.cast<number>(s.val(Date.now()), 'bigint').as('granted_at')])
        .where('rooms.key', '=', grant.roomKey),
    )
    .onConflict((oc) => oc.columns(['room_key', 'user_id', 'kind']).doNothing())
    .execute();
}

/** Bytes of the schema's tables with their indexes and TOAST. */
export async function schemaSizeBytes(db: Kysely<PgSchema>, schema: string): Promise<number> {
  const result = await sql<{ bytes: number }>`
    SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p', 'm')
  `.execute(db);
  return result.rows[0]?.bytes ?? 0;
}
