import type Database from 'better-sqlite3';
import type { AppendResult, NewMessage } from '../store.ts';
import { dmParticipantRows } from '../dm-participants.ts';
import { toStoredMessage, type MessageRow } from './sqlite-rows.ts';

/** Runs one batch in an IMMEDIATE transaction, and answers lastSeq from the same cache. */
export interface AppendTransaction {
  immediate(batch: readonly NewMessage[]): AppendResult[];
  /** The last seq of a conversation (0 for none); every join asks, so it is cached too. */
  lastSeq(conv: string): number;
  /**
   * Drops the cache, for a caller whose own transaction (around `immediate`, which is then a
   * savepoint in it) failed after appending: its rollback undid seqs the cache holds.
   */
  forget(): void;
}

/**
 * Builds appendMessages' transaction. Call it with .immediate(batch); it throws raw driver
 * errors, which the caller maps to StoreError.
 */
export function prepareAppend(sqlite: Database.Database): AppendTransaction {
  // The hot path bypasses Kysely: one call carries a whole event-loop turn of messages, and
  // prepared statements inside a synchronous transaction avoid per-row compilation and
  // per-row promise hops.
  const findByCmid = sqlite.prepare<[string, string, string], MessageRow>(
    `SELECT conv, seq, sender_id, sender_name, target, body, cmid, kind, ref, created_at
       FROM messages WHERE conv = ? AND sender_id = ? AND cmid = ?`,
  );
  const readSeq = sqlite.prepare<[string], number>(`SELECT last_seq FROM conversations WHERE id = ?`).pluck();
  const writeSeq = sqlite.prepare<[string, number]>(
    `INSERT INTO conversations (id, last_seq) VALUES (?, ?)
     ON CONFLICT(id) DO UPDATE SET last_seq = excluded.last_seq`,
  );
  // This process is the only writer of conversations, so the last seq of each conversation is
  // kept here after the first read, and written once per conversation per batch instead of
  // once per message. A failed transaction forgets the cache: the rollback may have undone it.
  const lastSeq = new Map<string, number>();
  const insertMessage = sqlite.prepare<
    [string, number, string, string, string, string, string | null, string | null, number | null, number]
  >(
    `INSERT INTO messages (conv, seq, sender_id, sender_name, target, body, cmid, kind, ref, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // OR IGNORE: a caller listing the same account twice should not fail the batch.
  const insertPending = sqlite.prepare<[number, string, number]>(
    `INSERT OR IGNORE INTO pending (account_id, conv, seq) VALUES (?, ?, ?)`,
  );

  // A direct conversation's first message makes it one of each person's conversations.
  const insertParticipant = sqlite.prepare<[string, string, string]>(
    `INSERT OR IGNORE INTO dm_participants (user_id, conv, peer_id) VALUES (?, ?, ?)`,
  );

  const append = sqlite.transaction((batch: readonly NewMessage[]): AppendResult[] => {
    const results: AppendResult[] = [];
    const touched = new Set<string>();
    for (const m of batch) {
      const cmid = m.cmid ?? null;
      if (cmid !== null) {
        // Rows inserted earlier in this transaction are visible here, which is what
        // dedupes a cmid repeated within one batch.
        const original = findByCmid.get(m.conv, m.senderId, cmid);
        if (original !== undefined) {
          results.push({ message: toStoredMessage(original), duplicate: true });
          continue;
        }
      }
      const seq = (lastSeq.get(m.conv) ?? readSeq.get(m.conv) ?? 0) + 1;
      lastSeq.set(m.conv, seq);
      touched.add(m.conv);
      const kind = m.kind ?? null;
      const ref = m.ref ?? null;
      insertMessage.run(m.conv, seq, m.senderId, m.senderName, m.target, m.text, cmid, kind, ref, m.createdAt);
      for (const accountId of m.pendingFor ?? []) insertPending.run(accountId, m.conv, seq);
      if (seq === 1 && m.conv.startsWith('dm:')) {
        for (const row of dmParticipantRows(m.conv)) insertParticipant.run(row.user_id, row.conv, row.peer_id);
      }
      results.push({
        message: toStoredMessage({
          conv: m.conv,
          seq,
          sender_id: m.senderId,
          sender_name: m.senderName,
          target: m.target,
          body: m.text,
          cmid,
          kind,
          ref,
          created_at: m.createdAt,
        }),
        duplicate: false,
      });
    }
    for (const conv of touched) writeSeq.run(conv, lastSeq.get(conv)!);
    return results;
  });
  const guarded = (batch: readonly NewMessage[]): AppendResult[] => {
    try {
      return append.immediate(batch);
    } catch (error) {
      lastSeq.clear();
      throw error;
    }
  };
  const readLastSeq = (conv: string): number => {
    let seq = lastSeq.get(conv);
    if (seq === undefined) {
      seq = readSeq.get(conv) ?? 0;
      lastSeq.set(conv, seq);
    }
    return seq;
  };
  return { immediate: guarded, lastSeq: readLastSeq, forget: () => lastSeq.clear() };
}
