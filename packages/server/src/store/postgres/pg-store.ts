import type { Kysely } from 'kysely';
import type { NameClaims } from '../../cluster/name-claims.ts';
import type {
  Account,
  AppendResult,
  AuditEntry,
  BanKind,
  BanRecord,
  AccountKeyStore,
  DeviceStore,
  DirectConversationRecord,
  E2eStore,
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
import { resourceReporter } from '../resource-reporter.ts';
import { isValidSchemaName, openPool, type PgConnectionOptions } from './pg-connection.ts';
import type { PgContext } from './pg-context.ts';
import { PgDirectory } from './pg-directory.ts';
import { PgE2e } from './pg-e2e.ts';
import { toStoreError } from './pg-errors.ts';
import { PgMessageLog } from './pg-messages.ts';
import { PgMessageState } from './pg-message-state.ts';
import type { ReadPosition, SearchQuery } from '../message-state.ts';
import { migrate } from './pg-migrations.ts';
import { PgModeration, schemaSizeBytes } from './pg-moderation.ts';
import { PgNameClaims } from './pg-name-claims.ts';
import type { PgSchema } from './pg-rows.ts';

export interface PostgresStoreOptions extends PgConnectionOptions {
  /** Hears of a database that is down, read-only or full (at most once a minute), to log it. */
  onResourceError?: (error: StoreError) => void;
}

/**
 * Opens the store in `schema` (created if missing) and migrates it; several nodes may do this
 * at once. Rejects with StoreError: 'schema_too_new' for a schema a newer Parley wrote, 'io'
 * when PostgreSQL cannot be reached, 'failed' otherwise. The pool reconnects by itself after
 * PostgreSQL restarts; meanwhile calls reject with 'io'.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  if (!isValidSchemaName(options.schema)) {
    throw new StoreError('failed', `the PostgreSQL schema name "${options.schema}" must be a lower-case identifier (a-z, 0-9, _; at most 63 characters)`);
  }
  const reported = resourceReporter(options.onResourceError);
  const { db } = openPool(options, (err) => {
    reported(toStoreError(err, 'a PostgreSQL connection'));
  });
  const { error } = await migrate(db, options.schema);
  if (error !== undefined) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  let epoch: string;
  try {
    epoch = (await db.withSchema(options.schema).selectFrom('store_identity').select('epoch').executeTakeFirstOrThrow()).epoch;
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw toStoreError(err, 'reading the store identity');
  }
  return new PostgresStore({ db, schema: options.schema, reported, epoch });
}

/**
 * The Store on PostgreSQL, for a cluster of nodes sharing one database. The parts (message
 * log, directory, moderation, e2e) run their queries through one PgContext; this class adds the
 * open/closed state and what the store says of itself.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly epoch: string;
  readonly devices: DeviceStore;
  readonly keys: AccountKeyStore;
  readonly e2e: E2eStore;
  readonly #db: Kysely<PgSchema>;
  readonly #schema: string;
  readonly #ctx: PgContext;
  readonly #log: PgMessageLog;
  readonly #state: PgMessageState;
  readonly #directory: PgDirectory;
  readonly #moderation: PgModeration;
  #closed = false;

  constructor(parts: { db: Kysely<PgSchema>; schema: string; reported: (error: StoreError) => StoreError; epoch: string }) {
    this.#db = parts.db;
    this.epoch = parts.epoch;
    this.#schema = parts.schema;
    const { db, reported } = parts;
    this.#ctx = {
      db,
      run: async <T>(action: string, fn: (db: Kysely<PgSchema>) => Promise<T>, conflictOnUnique = false): Promise<T> => {
        if (this.#closed) throw new StoreError('unavailable', 'the store is closed');
        try {
          return await fn(db);
        } catch (err) {
          throw reported(toStoreError(err, action, conflictOnUnique));
        }
      },
    };
    this.#log = new PgMessageLog(this.#ctx);
    this.#state = new PgMessageState(this.#ctx);
    this.#directory = new PgDirectory(this.#ctx);
    this.#moderation = new PgModeration(this.#ctx);
    this.devices = this.#directory.devices;
    this.keys = this.#directory.keys;
    this.e2e = new PgE2e(this.#ctx);
  }

  /** This node's name leases (see NameClaims); `nodeId` must be unique in the cluster. */
  nameClaims(nodeId: string, leaseMs: number): NameClaims {
    return new PgNameClaims(this.#ctx, { id: nodeId, leaseMs });
  }

  sizeBytes(): Promise<number> {
    return this.#ctx.run('measuring the store', (db) => schemaSizeBytes(db, this.#schema));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      // Waits for checked-out connections to come back, then closes every connection.
      await this.#db.destroy();
    } catch (err) {
      throw toStoreError(err, 'closing the PostgreSQL pool');
    }
  }

  // The message log (pg-messages.ts).
  appendMessages = (batch: readonly NewMessage[]): Promise<AppendResult[]> => this.#log.appendMessages(batch);
  history = (conv: string, query: HistoryQuery): Promise<StoredMessage[]> => this.#log.history(conv, query);
  lastSeq = (conv: string): Promise<number> => this.#log.lastSeq(conv);
  lastSeqs = (convs: readonly string[]): Promise<Map<string, number>> => this.#log.lastSeqs(convs);
  directConversations = (userId: string, limit: number): Promise<DirectConversationRecord[]> => this.#log.directConversations(userId, limit);
  deleteMessagesBefore = (cutoff: number): Promise<number> => this.#log.deleteMessagesBefore(cutoff);
  pendingFor = (accountId: number, limit: number): Promise<StoredMessage[]> => this.#log.pendingFor(accountId, limit);
  clearPending = (accountId: number, delivered: readonly { conv: string; seq: number }[]): Promise<void> => this.#log.clearPending(accountId, delivered);

  // What happens to messages after they are sent, and read positions (pg-message-state.ts).
  about = (conv: string, seqs: readonly number[]): Promise<StoredMessage[]> => this.#state.about(conv, seqs);
  blank = (conv: string, seqs: readonly number[]): Promise<void> => this.#state.blank(conv, seqs);
  setRead = (position: ReadPosition): Promise<number> => this.#state.setRead(position);
  readPositions = (userId: string): Promise<Map<string, number>> => this.#state.readPositions(userId);
  search = (query: SearchQuery): Promise<StoredMessage[]> => this.#state.search(query);
  unreadCounts = (userId: string, positions: readonly { conv: string; after: number }[], cap: number): Promise<Map<string, number>> => this.#state.unreadCounts(userId, positions, cap);

  // The directory (pg-directory.ts).
  createAccount = (input: { name: string; nameKey: string; passwordHash: string }): Promise<Account> => this.#directory.createAccount(input);
  findAccount = (nameKey: string): Promise<Account | undefined> => this.#directory.findAccount(nameKey);
  countAccounts = (): Promise<number> => this.#directory.countAccounts();
  createRoom = (input: { key: string; name: string; topic: string; createdBy: string }): Promise<RoomRecord> => this.#directory.createRoom(input);
  deleteRoom = (key: string): Promise<boolean> => this.#directory.deleteRoom(key);
  listRooms = (): Promise<RoomRecord[]> => this.#directory.listRooms();
  setTopic = (key: string, topic: string): Promise<void> => this.#directory.setTopic(key, topic);
  addMember = (roomKey: string, accountId: number): Promise<void> => this.#directory.addMember(roomKey, accountId);
  removeMember = (roomKey: string, accountId: number): Promise<void> => this.#directory.removeMember(roomKey, accountId);
  roomsOf = (accountId: number): Promise<string[]> => this.#directory.roomsOf(accountId);
  hasMembers = (roomKey: string): Promise<boolean> => this.#directory.hasMembers(roomKey);
  roomMembers = (roomKey: string): Promise<{ accountId: number; name: string }[]> => this.#directory.roomMembers(roomKey);

  // Moderation (pg-moderation.ts).
  setServerRole = (accountId: number, role: StoredServerRole | null, grantedBy: string): Promise<void> => this.#moderation.setServerRole(accountId, role, grantedBy);
  listServerRoles = (): Promise<ServerRoleRecord[]> => this.#moderation.listServerRoles();
  addBan = (ban: NewBan): Promise<BanRecord> => this.#moderation.addBan(ban);
  removeBan = (scope: string, kind: BanKind, value: string): Promise<boolean> => this.#moderation.removeBan(scope, kind, value);
  listBans = (query?: { scope?: string; now?: number }): Promise<BanRecord[]> => this.#moderation.listBans(query);
  deleteExpiredBans = (now: number): Promise<number> => this.#moderation.deleteExpiredBans(now);
  appendAudit = (entry: NewAuditEntry): Promise<AuditEntry> => this.#moderation.appendAudit(entry);
  listAudit = (query: { limit: number; before?: number }): Promise<AuditEntry[]> => this.#moderation.listAudit(query);
  deleteAuditBefore = (at: number): Promise<number> => this.#moderation.deleteAuditBefore(at);
  setCommandDisabled = (verb: string, disabled: boolean, by: string): Promise<void> => this.#moderation.setCommandDisabled(verb, disabled, by);
  listDisabledCommands = (): Promise<string[]> => this.#moderation.listDisabledCommands();
  setRoomModes = (roomKey: string, modes: StoredRoomModes): Promise<void> => this.#moderation.setRoomModes(roomKey, modes);
  setRoomGrant = (grant: { roomKey: string; userId: string; kind: RoomGrantKind; grantedBy: string }, on: boolean): Promise<void> => this.#moderation.setRoomGrant(grant, on);
  listRoomGrants = (roomKey?: string): Promise<RoomGrant[]> => this.#moderation.listRoomGrants(roomKey);
  moderationVersion = (): Promise<number> => this.#moderation.moderationVersion();
}
