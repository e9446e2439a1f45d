import type { Selectable } from 'kysely';
import type { BanRecord, ModerationStore } from '../store.ts';
import type { SqliteParts } from './sqlite-parts.ts';
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
 * The moderation part of the SQLite store, on Kysely's typed schema. Every write of roles, bans
 * or disabled commands is one synchronous IMMEDIATE transaction (sqlite-sync.ts says why not
 * Kysely's) that also raises moderation_version, so `parley admin` in another process and the
 * running server agree on when to re-read. Nothing here is on the connect or send path: the
 * server keeps roles, bans and disabled commands in memory and polls the version every
 * moderation.sync_interval_ms, so plain Kysely queries serve.
 */
export function sqliteModeration({ sqlite, db, run }: SqliteParts): ModerationStore {
  const bump = db.updateTable('moderation_version').set((eb) => ({ n: eb('n', '+', 1) })).where('id', '=', 1);
  /** Runs `write` and the version bump in one transaction; throws raw driver errors. */
  const versioned = <T>(write: () => T): T =>
    sqlite
      .transaction(() => {
        const result = write();
        runSync(sqlite, bump);
        return result;
      })
      .immediate();

  return {
    setServerRole(accountId, role, grantedBy) {
      return run('setting a server role', async () =>
        versioned(() => {
          if (role === null) runSync(sqlite, db.deleteFrom('server_roles').where('account_id', '=', accountId));
          else
            runSync(
              sqlite,
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
        }),
      );
    },

    listServerRoles() {
      return run('listing server roles', async () => {
        const rows = await db
          .selectFrom('server_roles as r')
          .innerJoin('accounts as a', 'a.id', 'r.account_id')
          .select(['r.account_id', 'a.name', 'r.role', 'r.granted_by', 'r.granted_at'])
          .orderBy('r.account_id')
          .execute();
        return rows.map((r) => ({ accountId: r.account_id, name: r.name, role: r.role, grantedBy: r.granted_by, grantedAt: r.granted_at }));
      });
    },

    addBan(ban) {
      return run('adding a ban', async () => {
        const upsert = db
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
        return toBan(versioned(() => oneSync(sqlite, upsert)));
      });
    },

    removeBan(scope, kind, value) {
      return run('removing a ban', async () => {
        const remove = db.deleteFrom('bans').where('scope', '=', scope).where('kind', '=', kind).where('value', '=', value);
        return versioned(() => runSync(sqlite, remove) > 0);
      });
    },

    listBans(query = {}) {
      return run('listing bans', async () => {
        let q = db.selectFrom('bans').selectAll().orderBy('id');
        if (query.scope !== undefined) q = q.where('scope', '=', query.scope);
        const { now } = query;
        if (now !== undefined) q = q.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
        return (await q.execute()).map(toBan);
      });
    },

    deleteExpiredBans(now) {
      return run('deleting expired bans', async () => {
        const remove = db.deleteFrom('bans').where('expires_at', 'is not', null).where('expires_at', '<=', now);
        return versioned(() => runSync(sqlite, remove));
      });
    },

    appendAudit(entry) {
      return run('appending to the audit log', async () => {
        const { at, actor, action, target, detail } = entry;
        const { id } = await db.insertInto('audit').values({ at, actor, action, target, detail }).returning('id').executeTakeFirstOrThrow();
        return { id, ...entry };
      });
    },

    listAudit(query) {
      return run('reading the audit log', async () => {
        // SQLite treats a negative LIMIT as "no limit".
        const limit = Math.floor(query.limit);
        if (!(limit > 0)) return [];
        let q = db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(limit);
        if (query.before !== undefined) q = q.where('id', '<', query.before);
        return q.execute();
      });
    },

    deleteAuditBefore(at) {
      return run('pruning the audit log', async () => {
        const result = await db.deleteFrom('audit').where('at', '<', at).executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },

    setCommandDisabled(verb, disabled, by) {
      return run('disabling a command', async () =>
        versioned(() => {
          if (disabled) runSync(sqlite, db.insertInto('disabled_commands').orIgnore().values({ verb, disabled_by: by, disabled_at: Date.now() }));
          else runSync(sqlite, db.deleteFrom('disabled_commands').where('verb', '=', verb));
        }),
      );
    },

    listDisabledCommands() {
      return run('listing disabled commands', async () => {
        const rows = await db.selectFrom('disabled_commands').select('verb').orderBy('verb').execute();
        return rows.map((r) => r.verb);
      });
    },

    setRoomModes(roomKey, modes) {
      return run(`setting the modes of ${roomKey}`, async () => {
        await db
          .updateTable('rooms')
          .set({ invite_only: modes.inviteOnly ? 1 : 0, password_hash: modes.passwordHash, moderated: modes.moderated ? 1 : 0, topic_lock: modes.topicLock ? 1 : 0, encrypted: modes.encrypted ? 1 : 0 })
          .where('key', '=', roomKey)
          .execute();
      });
    },

    setRoomGrant(grant, on) {
      return run(`changing a grant in ${grant.roomKey}`, async () => {
        if (!on) {
          await db.deleteFrom('room_grants').where('room_key', '=', grant.roomKey).where('user_id', '=', grant.userId).where('kind', '=', grant.kind).execute();
          return;
        }
        // Selected from rooms, so a grant in a room that does not exist is no row (and no error).
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
      });
    },

    listRoomGrants(roomKey) {
      return run('listing room grants', async () => {
        const q = db.selectFrom('room_grants').selectAll();
        const rows = await (roomKey === undefined ? q.orderBy('room_key') : q.where('room_key', '=', roomKey)).orderBy('user_id').orderBy('kind').execute();
        return rows.map((r) => ({ roomKey: r.room_key, userId: r.user_id, kind: r.kind, grantedBy: r.granted_by, grantedAt: r.granted_at }));
      });
    },

    moderationVersion() {
      return run('reading the moderation version', async () => {
        const row = await db.selectFrom('moderation_version').select('n').where('id', '=', 1).executeTakeFirstOrThrow();
        return row.n;
      });
    },
  };
}
