import type { MessageKind } from '@parley/protocol';

/**
 * The message log part of the store: per-conversation sequences, history, offline queues.
 *
 * Conversation ids: a room's conversation is its key ("#general": the normalized room name),
 * direct-message pairs are "dm:<userA>:<userB>" with the two user ids sorted, and the
 * online-broadcast stream is "all".
 *
 * Concurrency, for every implementation: any number of processes (cluster nodes, `parley admin`)
 * may call any method at the same time. Sequence numbers are assigned by the store when the
 * append commits, never by a caller, so no method relies on this process being the only writer;
 * an implementation may cache only what it can prove no other writer changes (the SQLite store
 * caches last seqs because its database file has one writer process, the server; the
 * PostgreSQL store caches nothing).
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
  /** The seq of the message this one answers (a reply) or is about (an edit, redaction, reaction). */
  ref?: number;
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
  ref?: number;
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

export interface MessageLog {
  /**
   * Appends a batch in one transaction, in array order. Each message gets the next sequence
   * number of its conversation (1, 2, 3 … with no gaps). Either every message of the batch is
   * committed or none is. Results are in the same order as the input.
   *
   * Concurrent appends to one conversation, from this process or another, are serialized by the
   * store: seq order is commit order, and a reader never sees seq n+1 before seq n is committed.
   * Two appends with the same (conv, senderId, cmid) racing on two nodes store it once; the
   * loser gets `duplicate: true` and the original.
   */
  appendMessages(batch: readonly NewMessage[]): Promise<AppendResult[]>;

  /**
   * A page of a conversation in ascending seq order. With `after`, the page starts right after
   * it; otherwise it is the newest `limit` messages below `before` (or the newest overall).
   * Reads only committed messages; a page is gapless except where retention deleted messages.
   */
  history(conv: string, query: HistoryQuery): Promise<StoredMessage[]>;

  /** The highest committed seq of the conversation, 0 when it has none. */
  lastSeq(conv: string): Promise<number>;

  /**
   * The highest committed seq of each listed conversation, in one round trip (the cluster's tail
   * check asks for every conversation a node delivers). Conversations with none are absent.
   */
  lastSeqs(convs: readonly string[]): Promise<Map<string, number>>;

  /**
   * The direct conversations `userId` is one of the two people of (`dm:<idA>:<idB>`, a note to
   * self included), newest last message first, at most `limit`. Each comes with the other
   * person's id and its name (an account's current name; otherwise the name in the newest
   * message), its last seq and the time of its newest stored message. A conversation whose
   * messages retention has all deleted is not listed: there is nothing left to show.
   */
  directConversations(userId: string, limit: number): Promise<DirectConversationRecord[]>;

  /**
   * Deletes messages created before `cutoff` (ms since epoch). Returns how many were deleted.
   * Safe to run on several nodes at once: each message is deleted once, the counts add up.
   */
  deleteMessagesBefore(cutoff: number): Promise<number>;

  /** Messages queued for an offline account, oldest first (per conversation by seq). */
  pendingFor(accountId: number, limit: number): Promise<StoredMessage[]>;

  /** Removes the given messages from the account's offline queue. Idempotent, from any node. */
  clearPending(accountId: number, delivered: readonly { conv: string; seq: number }[]): Promise<void>;
}

export function dmConversation(userA: string, userB: string): string {
  return userA < userB ? `dm:${userA}:${userB}` : `dm:${userB}:${userA}`;
}

export const ALL_CONVERSATION = 'all';
