import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type Selectable } from 'kysely';
import type {
  Account,
  AppendResult,
  AuditEntry,
  BanKind,
  BanRecord,
  HistoryQuery,
  NewAuditEntry,
  NewBan,
  NewMessage,
  RoomGrant,
  RoomGrantKind,
  RoomRecord,
  ServerRoleRecord,
  Store,
  StoredMessage,
  StoredRoomModes,
  StoredServerRole,
} from '../store.ts';
import { StoreError } from '../store.ts';
import { migrateToLatest } from './migrations.ts';
import { prepareAppend, type AppendTransaction } from './sqlite-append.ts';
import { SqliteModeration } from './sqlite-moderation.ts';
import {
  toAccount,
  toRoomRecord,
  toStoredMessage,
  toStoreError,
  type SqliteSchema,
} from './sqlite-rows.ts';

/** SQLite's default limit on bound parameters is 32766; stay far below it. */
const CLEAR_CHUNK = 500;

// rowid is insertion order, which is seq order within every conversation even when the wall
// clock behind createdAt went backwards.
const pendingOrder = sql<number>`p.rowid`;

export async function openSqliteStore(options: { file: string }): Promise<Store> {
  const { file } = options;
  let sqlite: Database.Database;
  try {
    // '' is SQLite's private temporary database; neither it nor ':memory:' has a directory.
    if (file !== ':memory:' && file !== '') {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    }
    sqlite = new Database(file);
  } catch (err) {
    throw toStoreError(err, `opening database ${file}`);
  }

  // Kysely shares the one connection with the hot path in sqlite-append.ts. That is safe only
  // because the store never opens a Kysely transaction (each Kysely query is one synchronous
  // driver call) and the hot path's transaction is synchronous, so the two never interleave.
  const db = new Kysely<SqliteSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    // busy_timeout first so the journal switch waits for another process instead of failing.
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('journal_mode = WAL');
    // NORMAL in WAL mode can lose the last commits on power loss but never corrupts the file;
    // FULL would add an fsync to every appendMessages call.
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    await migrateToLatest(db);
    return new SqliteStore(sqlite, db, new SqliteModeration(sqlite, file));
  } catch (err) {
    await db.destroy().catch(() => undefined);
    // Kysely only closes the database if it had started using it.
    if (sqlite.open) sqlite.close();
    throw toStoreError(err, `opening database ${file}`);
  }
}

/** Reads on the connect and send paths, prepared once (Kysely prepares on every call). */
function prepareHotQueries(sqlite: Database.Database) {
  return {
    lastSeq: sqlite.prepare<[string], number>('SELECT last_seq FROM conversations WHERE id = ?').pluck(),
    findAccount: sqlite.prepare<[string], Selectable<SqliteSchema['accounts']>>('SELECT * FROM accounts WHERE name_key = ?'),
  };
}

class SqliteStore implements Store {
  readonly #sqlite: Database.Database;
  readonly #db: Kysely<SqliteSchema>;
  #closed = false;
  readonly #append: AppendTransaction;
  readonly #moderation: SqliteModeration;

  readonly #hot: ReturnType<typeof prepareHotQueries>;

  constructor(sqlite: Database.Database, db: Kysely<SqliteSchema>, moderation: SqliteModeration) {
    this.#sqlite = sqlite;
    this.#db = db;
    this.#append = prepareAppend(sqlite);
    this.#moderation = moderation;
    this.#hot = prepareHotQueries(sqlite);
  }

  async appendMessages(batch: readonly NewMessage[]): Promise<AppendResult[]> {
    this.#assertOpen();
    if (batch.length === 0) return [];
    try {
      // IMMEDIATE takes the write lock up front (waiting up to busy_timeout); a deferred
      // transaction that upgrades from read to write can fail with SQLITE_BUSY at once in WAL.
      return this.#append.immediate(batch);
    } catch (err) {
      throw toStoreError(err, 'appending messages');
    }
  }

  history(conv: string, query: HistoryQuery): Promise<StoredMessage[]> {
    return this.#run('reading history', async () => {
      // SQLite treats a negative LIMIT as "no limit".
      const limit = Math.floor(query.limit);
      if (!(limit > 0)) return [];
      let q = this.#db.selectFrom('messages').selectAll().where('conv', '=', conv);
      if (query.before !== undefined) q = q.where('seq', '<', query.before);
      if (query.after !== undefined) {
        const rows = await q.where('seq', '>', query.after).orderBy('seq', 'asc').limit(limit).execute();
        return rows.map(toStoredMessage);
      }
      const rows = await q.orderBy('seq', 'desc').limit(limit).execute();
      return rows.reverse().map(toStoredMessage);
    });
  }

  lastSeq(conv: string): Promise<number> {
    // Every join asks this: a statement prepared once, not a Kysely query compiled and prepared per call.
    return this.#run('reading the last sequence number', async () => this.#hot.lastSeq.get(conv) ?? 0);
  }

  deleteMessagesBefore(cutoff: number): Promise<number> {
    return this.#run('deleting old messages', async () => {
      // Queued copies go with them through the pending -> messages cascade.
      const result = await this.#db
        .deleteFrom('messages')
        .where('created_at', '<', cutoff)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  pendingFor(accountId: number, limit: number): Promise<StoredMessage[]> {
    return this.#run('reading pending messages', async () => {
      const n = Math.floor(limit);
      if (!(n > 0)) return [];
      const rows = await this.#db
        .selectFrom('pending as p')
        .innerJoin('messages as m', (join) =>
          join.onRef('m.conv', '=', 'p.conv').onRef('m.seq', '=', 'p.seq'),
        )
        .selectAll('m')
        .where('p.account_id', '=', accountId)
        .orderBy(pendingOrder)
        .limit(n)
        .execute();
      return rows.map(toStoredMessage);
    });
  }

  clearPending(accountId: number, delivered: readonly { conv: string; seq: number }[]): Promise<void> {
    return this.#run('clearing pending messages', async () => {
      const byConv = new Map<string, number[]>();
      for (const { conv, seq } of delivered) {
        const seqs = byConv.get(conv);
        if (seqs === undefined) byConv.set(conv, [seq]);
        else seqs.push(seq);
      }
      // Not one transaction: clearing is idempotent, so a partial clear is harmless (the rest
      // is delivered again and the client dedupes by seq).
      for (const [conv, seqs] of byConv) {
        for (let i = 0; i < seqs.length; i += CLEAR_CHUNK) {
          await this.#db
            .deleteFrom('pending')
            .where('account_id', '=', accountId)
            .where('conv', '=', conv)
            .where('seq', 'in', seqs.slice(i, i + CLEAR_CHUNK))
            .execute();
        }
      }
    });
  }

  createAccount(input: { name: string; nameKey: string; passwordHash: string }): Promise<Account> {
    return this.#run(
      `creating account ${input.nameKey}`,
      async () => {
        const row = await this.#db
          .insertInto('accounts')
          .values({
            name: input.name,
            name_key: input.nameKey,
            password_hash: input.passwordHash,
            created_at: Date.now(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toAccount(row);
      },
      true,
    );
  }

  findAccount(nameKey: string): Promise<Account | undefined> {
    // Every login, guest name claim and DM to an offline name asks this: prepared once.
    return this.#run('finding an account', async () => {
      const row = this.#hot.findAccount.get(nameKey);
      return row === undefined ? undefined : toAccount(row);
    });
  }

  countAccounts(): Promise<number> {
    return this.#run('counting accounts', async () => {
      const row = await this.#db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    });
  }

  createRoom(input: { key: string; name: string; topic: string; createdBy: string }): Promise<RoomRecord> {
    return this.#run(
      `creating room ${input.key}`,
      async () => {
        const row = await this.#db
          .insertInto('rooms')
          .values({
            key: input.key,
            name: input.name,
            topic: input.topic,
            created_by: input.createdBy,
            created_at: Date.now(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toRoomRecord(row);
      },
      true,
    );
  }

  deleteRoom(key: string): Promise<boolean> {
    return this.#run(`deleting room ${key}`, async () => {
      // One synchronous transaction so a crash cannot leave a deleted room's messages for a
      // room recreated under the same name. Memberships go through the room_members cascade;
      // the conversation's last_seq stays, so clients' cursors stay valid for a recreated room.
      const remove = this.#sqlite.transaction((roomKey: string) => {
        this.#sqlite.prepare('DELETE FROM messages WHERE conv = ?').run(roomKey);
        return this.#sqlite.prepare('DELETE FROM rooms WHERE key = ?').run(roomKey).changes > 0;
      });
      return remove.immediate(key);
    });
  }

  listRooms(): Promise<RoomRecord[]> {
    return this.#run('listing rooms', async () => {
      const rows = await this.#db.selectFrom('rooms').selectAll().orderBy('key').execute();
      return rows.map(toRoomRecord);
    });
  }

  setTopic(key: string, topic: string): Promise<void> {
    return this.#run(`setting the topic of ${key}`, async () => {
      await this.#db.updateTable('rooms').set({ topic }).where('key', '=', key).execute();
    });
  }

  addMember(roomKey: string, accountId: number): Promise<void> {
    return this.#run(`adding a member to ${roomKey}`, async () => {
      await this.#db
        .insertInto('room_members')
        .values({ room_key: roomKey, account_id: accountId, joined_at: Date.now() })
        .onConflict((oc) => oc.columns(['room_key', 'account_id']).doNothing())
        .execute();
    });
  }

  removeMember(roomKey: string, accountId: number): Promise<void> {
    return this.#run(`removing a member from ${roomKey}`, async () => {
      await this.#db
        .deleteFrom('room_members')
        .where('room_key', '=', roomKey)
        .where('account_id', '=', accountId)
        .execute();
    });
  }

  roomsOf(accountId: number): Promise<string[]> {
    return this.#run('listing rooms of an account', async () => {
      const rows = await this.#db
        .selectFrom('room_members')
        .select('room_key')
        .where('account_id', '=', accountId)
        .orderBy('room_key')
        .execute();
      return rows.map((r) => r.room_key);
    });
  }

  setServerRole(accountId: number, role: StoredServerRole | null, grantedBy: string): Promise<void> {
    return this.#run('setting a server role', async () => this.#moderation.setServerRole(accountId, role, grantedBy));
  }

  listServerRoles(): Promise<ServerRoleRecord[]> {
    return this.#run('listing server roles', async () => this.#moderation.listServerRoles());
  }

  addBan(ban: NewBan): Promise<BanRecord> {
    return this.#run('adding a ban', async () => this.#moderation.addBan(ban));
  }

  removeBan(scope: string, kind: BanKind, value: string): Promise<boolean> {
    return this.#run('removing a ban', async () => this.#moderation.removeBan(scope, kind, value));
  }

  listBans(query: { scope?: string; now?: number } = {}): Promise<BanRecord[]> {
    return this.#run('listing bans', async () => this.#moderation.listBans(query));
  }

  deleteAuditBefore(at: number): Promise<number> {
    return this.#run('pruning the audit log', async () => this.#moderation.deleteAuditBefore(at));
  }

  deleteExpiredBans(now: number): Promise<number> {
    return this.#run('deleting expired bans', async () => this.#moderation.deleteExpiredBans(now));
  }

  appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.#run('appending to the audit log', async () => this.#moderation.appendAudit(entry));
  }

  listAudit(query: { limit: number; before?: number }): Promise<AuditEntry[]> {
    return this.#run('reading the audit log', async () => this.#moderation.listAudit(query));
  }

  setCommandDisabled(verb: string, disabled: boolean, by: string): Promise<void> {
    return this.#run('disabling a command', async () => this.#moderation.setCommandDisabled(verb, disabled, by));
  }

  listDisabledCommands(): Promise<string[]> {
    return this.#run('listing disabled commands', async () => this.#moderation.listDisabledCommands());
  }

  setRoomModes(roomKey: string, modes: StoredRoomModes): Promise<void> {
    return this.#run(`setting the modes of ${roomKey}`, async () => this.#moderation.setRoomModes(roomKey, modes));
  }

  setRoomGrant(grant: { roomKey: string; userId: string; kind: RoomGrantKind; grantedBy: string }, on: boolean): Promise<void> {
    return this.#run(`changing a grant in ${grant.roomKey}`, async () => this.#moderation.setRoomGrant(grant, on));
  }

  listRoomGrants(roomKey?: string): Promise<RoomGrant[]> {
    return this.#run('listing room grants', async () => this.#moderation.listRoomGrants(roomKey));
  }

  moderationVersion(): Promise<number> {
    return this.#run('reading the moderation version', async () => this.#moderation.moderationVersion());
  }

  sizeBytes(): Promise<number> {
    return this.#run('measuring the store', async () => this.#moderation.sizeBytes());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#db.destroy();
      if (this.#sqlite.open) this.#sqlite.close();
    } catch (err) {
      throw toStoreError(err, 'closing the database');
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('unavailable', 'the store is closed');
  }

  async #run<T>(action: string, fn: () => Promise<T>, conflictOnUnique = false): Promise<T> {
    this.#assertOpen();
    try {
      return await fn();
    } catch (err) {
      throw toStoreError(err, action, conflictOnUnique);
    }
  }
}
