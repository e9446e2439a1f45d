import type Database from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type {
  Account,
  DeviceStore,
  AppendResult,
  AuditEntry,
  BanKind,
  BanRecord,
  DirectConversationRecord,
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
import { openMigratedDatabase } from './sqlite-connection.ts';
import { prepareAppend, type AppendTransaction } from './sqlite-append.ts';
import { clearPending, deleteMessagesBefore, readDirectConversations, readHistory, readPending } from './sqlite-messages.ts';
import { SqliteDevices } from './sqlite-devices.ts';
import { SqliteModeration } from './sqlite-moderation.ts';
import { resourceReporter, toAccount, toRoomRecord, toStoreError, type SqliteSchema } from './sqlite-rows.ts';

/** `onResourceError` hears of a full or failing disk (at most once a minute), so the server can log it. */
export async function openSqliteStore(options: { file: string; onResourceError?: (error: StoreError) => void }): Promise<Store> {
  const { sqlite, db } = await openMigratedDatabase(options.file);
  return new SqliteStore(sqlite, db, { moderation: new SqliteModeration(sqlite, db, options.file), reported: resourceReporter(options.onResourceError) });
}

/** Reads on the connect and send paths, prepared once (Kysely prepares on every call). */
function prepareHotQueries(sqlite: Database.Database) {
  return {
    findAccount: sqlite.prepare<[string], Selectable<SqliteSchema['accounts']>>('SELECT * FROM accounts WHERE name_key = ?'),
  };
}

class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly #sqlite: Database.Database;
  readonly #db: Kysely<SqliteSchema>;
  #closed = false;
  readonly #append: AppendTransaction;
  readonly #moderation: SqliteModeration;
  readonly devices: DeviceStore;

  readonly #hot: ReturnType<typeof prepareHotQueries>;
  readonly #reported: (error: StoreError) => StoreError;

  constructor(sqlite: Database.Database, db: Kysely<SqliteSchema>, parts: { moderation: SqliteModeration; reported: (error: StoreError) => StoreError }) {
    this.#sqlite = sqlite;
    this.#db = db;
    this.#append = prepareAppend(sqlite);
    this.#moderation = parts.moderation;
    this.#reported = parts.reported;
    this.#hot = prepareHotQueries(sqlite);
    this.devices = new SqliteDevices(db, (action, fn, conflictOnUnique) => this.#run(action, fn, conflictOnUnique));
  }

  async appendMessages(batch: readonly NewMessage[]): Promise<AppendResult[]> {
    this.#assertOpen();
    if (batch.length === 0) return [];
    try {
      // IMMEDIATE takes the write lock up front (waiting up to busy_timeout); a deferred
      // transaction that upgrades from read to write can fail with SQLITE_BUSY at once in WAL.
      return this.#append.immediate(batch);
    } catch (err) {
      throw this.#reported(toStoreError(err, 'appending messages'));
    }
  }

  history(conv: string, query: HistoryQuery): Promise<StoredMessage[]> {
    return this.#run('reading history', () => readHistory(this.#db, conv, query));
  }

  lastSeq(conv: string): Promise<number> {
    return this.#run('reading the last sequence number', async () => this.#append.lastSeq(conv));
  }

  lastSeqs(convs: readonly string[]): Promise<Map<string, number>> {
    return this.#run('reading last sequence numbers', async () => {
      const seqs = new Map<string, number>();
      for (const conv of convs) {
        const seq = this.#append.lastSeq(conv);
        if (seq > 0) seqs.set(conv, seq);
      }
      return seqs;
    });
  }

  directConversations(userId: string, limit: number): Promise<DirectConversationRecord[]> {
    return this.#run('listing direct conversations', () => readDirectConversations(this.#db, userId, limit));
  }

  deleteMessagesBefore(cutoff: number): Promise<number> {
    return this.#run('deleting old messages', () => deleteMessagesBefore(this.#db, cutoff));
  }

  pendingFor(accountId: number, limit: number): Promise<StoredMessage[]> {
    return this.#run('reading pending messages', () => readPending(this.#db, accountId, limit));
  }

  clearPending(accountId: number, delivered: readonly { conv: string; seq: number }[]): Promise<void> {
    return this.#run('clearing pending messages', () => clearPending(this.#db, accountId, delivered));
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

  hasMembers(roomKey: string): Promise<boolean> {
    return this.#run(`counting the members of ${roomKey}`, async () => {
      const row = await this.#db.selectFrom('room_members').select('account_id').where('room_key', '=', roomKey).limit(1).executeTakeFirst();
      return row !== undefined;
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
      throw this.#reported(toStoreError(err, action, conflictOnUnique));
    }
  }
}
