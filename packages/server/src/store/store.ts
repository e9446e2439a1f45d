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
}

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

  close(): Promise<void>;
}

export type StoreErrorCode = 'conflict' | 'schema_too_new' | 'unavailable' | 'failed';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function dmConversation(userA: string, userB: string): string {
  return userA < userB ? `dm:${userA}:${userB}` : `dm:${userB}:${userA}`;
}

export const ALL_CONVERSATION = 'all';
