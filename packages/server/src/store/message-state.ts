import type { StoredMessage } from './message-log.ts';

/**
 * What becomes of messages after they are sent, and how far each user has read. Edits,
 * redactions and reactions are messages of the conversation themselves (kinds `edit`, `redact`,
 * `react`, `unreact`, with `ref` naming the message they are about), so cursors, resume and
 * offline delivery carry them like any message; a history page folds them into the messages it
 * shows (chat/message-fold.ts). This part reads them back by the message they are about, blanks
 * what a redaction (or a forgotten earlier version) must not keep, and stores read positions.
 *
 * Concurrency: like the message log, any process may call any method at once. `setRead` only
 * ever raises a position, so two devices reporting out of order cannot move it back.
 */
export interface MessageState {
  /** The events about the messages `seqs` of a conversation (kinds edit, redact, react, unreact), in seq order. */
  about(conv: string, seqs: readonly number[]): Promise<StoredMessage[]>;

  /** Empties the text of the listed messages (a redacted message and its edits; earlier versions nobody keeps). */
  blank(conv: string, seqs: readonly number[]): Promise<void>;

  /** Raises the user's read position in the conversation to `seq` (never lowers it); the position now. */
  setRead(position: ReadPosition): Promise<number>;

  /** The user's read positions, by conversation. */
  readPositions(userId: string): Promise<Map<string, number>>;

  /**
   * Per conversation: the messages after `after` that count as unread for the user (sent by
   * someone else; not edits, redactions, reactions or encrypted group changes), counted up to
   * `cap` (a badge says "99+").
   */
  unreadCounts(userId: string, positions: readonly { conv: string; after: number }[], cap: number): Promise<Map<string, number>>;

  /**
   * Full-text search over the text people wrote (kinds ordinary, action and edit: never
   * ciphertext) in the listed conversations, newest first. Every term must appear; the last one
   * also matches as a prefix. An edit that matches stands for its message (`about` is its ref).
   */
  search(query: SearchQuery): Promise<StoredMessage[]>;
}

/** A user's read position in a conversation, as of `at` (ms). */
export interface ReadPosition {
  userId: string;
  conv: string;
  seq: number;
  at: number;
}

export interface SearchQuery {
  /** Words to find, as cleaned by searchTerms: letters and digits only, at least one. */
  terms: readonly string[];
  convs: readonly string[];
  /** Only messages whose sender had this name (case-insensitive). */
  from?: string;
  /** Only messages sent at or after / before these times (ms). */
  after?: number;
  before?: number;
  limit: number;
}

/** The words of a search as a person typed them: read in @parley/protocol, which clients searching encrypted conversations share. */
export { searchTerms } from '@parley/protocol';

/** The kinds whose text is searchable: what people wrote, in plaintext. */
export const SEARCHED_KINDS = ['action', 'edit'] as const;

/** The kinds a history page folds into the message they refer to. */
export const ABOUT_KINDS = ['edit', 'redact', 'react', 'unreact'] as const;
/** The kinds that are not someone's message to read: the ones above, and encrypted group changes. */
export const NOT_UNREAD_KINDS = [...ABOUT_KINDS, 'mls_commit'] as const;
