import { ParleyError, WIRE_ERROR, type HasWireError, type MessageKind } from '@parley/protocol';

/**
 * The persistence boundary. Every implementation (SQLite now, PostgreSQL later) must pass the
 * shared conformance suite in @parley/testkit. Methods are async so network-backed stores fit;
 * all of them reject with StoreError (never a raw driver error) on failure.
 *
 * Conversation ids: a room's conversation is its key ("#general": the normalized room name),
 * direct-message pairs are "dm:<userA>:<userB>" with the two user ids sorted, and the
 * online-broadcast stream is "all".
 */

export interface NewMessage {
  conv: string;
  senderId: string;
  senderName: string;
  /** What clients see as `to`: "#room", the recipient's name, or "ALL". */
  target: string;
  text: string;
  /** Client message id: a retried send with the same (conv, senderId, cmid) is stored once. */
  cmid?: string;
  kind?: MessageKind;
  createdAt: number;
  /** Account ids that were offline at send time; they get this message at their next login. */
  pendingFor?: readonly number[];
}

export interface StoredMessage {
  conv: string;
  seq: number;
  senderId: string;
  senderName: string;
  target: string;
  text: string;
  cmid?: string;
  kind?: MessageKind;
  createdAt: number;
}

export interface AppendResult {
  message: StoredMessage;
  /** True when (conv, senderId, cmid) was stored before; `message` is the original. */
  duplicate: boolean;
}

export interface HistoryQuery {
  /** Only messages with seq < before. */
  before?: number;
  /** Only messages with seq > after. */
  after?: number;
  limit: number;
}

export interface DirectConversationRecord {
  conv: string;
  peerId: string;
  peerName: string;
  lastSeq: number;
  lastAt: number;
}

export interface Account {
  id: number;
  name: string;
  nameKey: string;
  passwordHash: string;
  createdAt: number;
}

export interface RoomRecord {
  /** Normalized name with its '#', also the room's conversation id. */
  key: string;
  name: string;
  topic: string;
  createdBy: string;
  createdAt: number;
  modes: StoredRoomModes;
}

export interface StoredRoomModes {
  inviteOnly: boolean;
  /** A password hash (identity/passwords.ts format); '' when the room has no password. */
  passwordHash: string;
  moderated: boolean;
  topicLock: boolean;
}

export const NO_ROOM_MODES: StoredRoomModes = Object.freeze({ inviteOnly: false, passwordHash: '', moderated: false, topicLock: false });

export interface Store {
  /**
   * Appends a batch in one transaction, in array order. Each message gets the next sequence
   * number of its conversation (1, 2, 3 … with no gaps). Either every message of the batch is
   * committed or none is. Results are in the same order as the input.
   */
  appendMessages(batch: readonly NewMessage[]): Promise<AppendResult[]>;

  /**
   * A page of a conversation in ascending seq order. With `after`, the page starts right after
   * it; otherwise it is the newest `limit` messages below `before` (or the newest overall).
   */
  history(conv: string, query: HistoryQuery): Promise<StoredMessage[]>;

  /** The highest seq of the conversation, 0 when it has none. */
  lastSeq(conv: string): Promise<number>;

  /**
   * The direct conversations `userId` is one of the two people of (`dm:<idA>:<idB>`, a note to
   * self included), newest last message first, at most `limit`. Each comes with the other
   * person's id and its name (an account's current name; otherwise the name in the newest
   * message), its last seq and the time of its newest stored message. A conversation whose
   * messages retention has all deleted is not listed: there is nothing left to show.
   */
  directConversations(userId: string, limit: number): Promise<DirectConversationRecord[]>;

  /** Deletes messages created before `cutoff` (ms since epoch). Returns how many were deleted. */
  deleteMessagesBefore(cutoff: number): Promise<number>;

  /** Messages queued for an offline account, oldest first (per conversation by seq). */
  pendingFor(accountId: number, limit: number): Promise<StoredMessage[]>;

  /** Removes the given messages from the account's offline queue. */
  clearPending(accountId: number, delivered: readonly { conv: string; seq: number }[]): Promise<void>;

  /** Rejects with StoreError code 'conflict' when the name key is taken. */
  createAccount(input: { name: string; nameKey: string; passwordHash: string }): Promise<Account>;
  findAccount(nameKey: string): Promise<Account | undefined>;
  countAccounts(): Promise<number>;

  /** Rejects with StoreError code 'conflict' when the room key exists. */
  createRoom(input: { key: string; name: string; topic: string; createdBy: string }): Promise<RoomRecord>;
  /**
   * Also removes the room's memberships and messages; its conversation keeps its last seq, so a
   * room recreated under the same name continues the sequence. False when there was no such room.
   */
  deleteRoom(key: string): Promise<boolean>;
  listRooms(): Promise<RoomRecord[]>;
  setTopic(key: string, topic: string): Promise<void>;

  /** Persistent room membership of accounts (guests are members only while online). Idempotent. */
  addMember(roomKey: string, accountId: number): Promise<void>;
  removeMember(roomKey: string, accountId: number): Promise<void>;
  roomsOf(accountId: number): Promise<string[]>;
  /** Whether any account holds a stored membership of the room (whether a guest's room may close). */
  hasMembers(roomKey: string): Promise<boolean>;

  /*
   * Moderation. Roles, bans and disabled commands may also be written by another
   * process (`parley admin`) on the same database: every such write raises moderationVersion,
   * which the running server polls to know when to re-read them.
   */

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

  /** Appends one audit entry; ids increase in append order. */
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Newest first; with `before`, only entries with a smaller id. */
  listAudit(query: { limit: number; before?: number }): Promise<AuditEntry[]>;
  /** Deletes audit entries recorded before `at` (ms since epoch); returns how many. */
  deleteAuditBefore(at: number): Promise<number>;

  /** Idempotent. */
  setCommandDisabled(verb: string, disabled: boolean, by: string): Promise<void>;
  listDisabledCommands(): Promise<string[]>;

  /** Rejects with StoreError 'failed' only on I/O errors; an unknown room is a no-op. */
  setRoomModes(roomKey: string, modes: StoredRoomModes): Promise<void>;
  /** Idempotent either way. Grants vanish with their room. */
  setRoomGrant(grant: { roomKey: string; userId: string; kind: RoomGrantKind; grantedBy: string }, on: boolean): Promise<void>;
  /** All grants, or one room's, ordered by room then user. */
  listRoomGrants(roomKey?: string): Promise<RoomGrant[]>;

  /** Device credentials of accounts (see DeviceStore). */
  readonly devices: DeviceStore;

  /** A number that increases whenever roles, bans or disabled commands change, from any process. */
  moderationVersion(): Promise<number>;
  /** Bytes the store occupies (file size for SQLite). */
  sizeBytes(): Promise<number>;

  close(): Promise<void>;
}

/**
 * A device that stays signed in to an account. Today it proves itself with a random token; the
 * end-to-end encryption work adds the device's public key to the same record, so listing,
 * revoking and auditing stay one mechanism whichever way a device signs in.
 */
export interface DeviceRecord {
  id: number;
  accountId: number;
  /** The account's display name, read with the record (listings and audit lines need it). */
  accountName: string;
  label: string;
  /** SHA-256 of the token, lower-case hex. The token itself is never stored. */
  tokenHash: string;
  createdAt: number;
  lastUsedAt: number;
  lastAddress: string;
}

export interface NewDevice {
  accountId: number;
  label: string;
  tokenHash: string;
  /** Ms since epoch: the device's creation and first use. */
  at: number;
  address: string;
}

/**
 * The device credentials part of the store. Each method is one statement, atomic on its own;
 * ids increase and are never reused, so a revoked id cannot come back as someone else's device.
 * Devices go with their account (an account's removal removes them).
 */
export interface DeviceStore {
  /** Rejects with StoreError 'conflict' when the token hash is stored already. */
  create(device: NewDevice): Promise<DeviceRecord>;
  /** An account's devices, oldest first. */
  listFor(accountId: number): Promise<DeviceRecord[]>;
  find(id: number): Promise<DeviceRecord | undefined>;
  /** Records a sign-in with the device; false when it no longer exists (revoked meanwhile). */
  touch(id: number, use: { at: number; address: string }): Promise<boolean>;
  /** False when there was no such device. */
  remove(id: number): Promise<boolean>;
}

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

/**
 * `full`: the disk (or SQLite's size limit) is full; `io`: the storage failed or became read-only.
 * Both are the server's resources, not the request: the client may retry once they are back.
 */
export type StoreErrorCode = 'conflict' | 'schema_too_new' | 'unavailable' | 'full' | 'io' | 'failed';

export class StoreError extends Error implements HasWireError {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Where store errors meet the wire (run-command.ts's boundary): resource failures get codes of their own. */
  [WIRE_ERROR](): ParleyError | undefined {
    if (this.code === 'full') return new ParleyError('STORE_FULL', "The server's disk is full: nothing was stored; retry later", { cause: this });
    if (this.code === 'io') return new ParleyError('STORE_UNAVAILABLE', 'The server could not write its data: nothing was stored; retry later', { cause: this });
    return undefined;
  }
}

export function dmConversation(userA: string, userB: string): string {
  return userA < userB ? `dm:${userA}:${userB}` : `dm:${userB}:${userA}`;
}

export const ALL_CONVERSATION = 'all';
