import { sql, type Kysely } from 'kysely';
import type { AppendResult, NewMessage, StoredMessage } from '../store.ts';
import { dmParticipantRows } from '../dm-participants.ts';
import { isRetryable } from './pg-errors.ts';
import { toStoredMessage, type MessageRow, type PgSchema } from './pg-rows.ts';

/*
 * appendMessages for PostgreSQL: one round trip per batch in the common case, none of them a
 * transaction's BEGIN or COMMIT. One statement, atomic on its own, raises each conversation's
 * last_seq by the number of new messages it gets (INSERT ... ON CONFLICT DO UPDATE ...
 * RETURNING, which takes the conversation row's lock and holds it to commit), inserts the
 * messages with the seqs just reserved, their offline-queue rows and, for a direct
 * conversation's first message, its dm_participants rows.
 *
 * The row lock is what makes seqs gapless and in commit order across nodes: the next writer of
 * a conversation waits for it and then reads the committed last_seq. A failed statement
 * reserves nothing (its update rolls back with it); IDENTITY or SERIAL would leave gaps after a
 * rollback and let a reader see a later seq before an earlier one commits. Conversation rows
 * are locked in id order (the ORDER BY), so two batches over the same conversations cannot
 * deadlock.
 *
 * cmids: a repeat within the batch is resolved here. A cmid stored before is not looked up
 * first: retried sends are rare, and the lookup cost a second round trip on every batch that
 * carries cmids (measured 743 vs 1172 single appends/s). Instead the statement fails on the
 * messages_cmid index, which undoes the whole batch, and the batch runs again after one read
 * of the originals. A cmid raced by two nodes ends the same way: the loser's statement fails,
 * and its second attempt finds the winner's original. Deadlocks and serialization failures,
 * which the lock order should rule out, are retried too.
 */

const MAX_ATTEMPTS = 5;
/** Keys per cmid lookup: three bound parameters each, far below PostgreSQL's 65535. */
const LOOKUP_CHUNK = 1000;

export async function appendBatch(db: Kysely<PgSchema>, batch: readonly NewMessage[]): Promise<AppendResult[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await appendOnce(db, batch, attempt > 1 && batch.some((m) => m.cmid !== undefined));
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
    }
  }
}

/**
 * One attempt at a batch inside the caller's own transaction (commitGroup's), which holds its
 * conversations' rows to its commit. No retry: a failed statement aborts the transaction. So
 * stored cmids are looked up first, and a repeat comes back as a duplicate.
 */
export function appendWithin(trx: Kysely<PgSchema>, batch: readonly NewMessage[]): Promise<AppendResult[]> {
  return appendOnce(trx, batch, batch.some((m) => m.cmid !== undefined));
}

/** conv, sender and cmid cannot hold NUL (PostgreSQL text cannot), so it separates them. */
const cmidKey = (m: { conv: string; senderId: string; cmid: string }) => `${m.conv}\0${m.senderId}\0${m.cmid}`;

async function findOriginals(db: Kysely<PgSchema>, batch: readonly NewMessage[]): Promise<Map<string, MessageRow>> {
  const keys = batch.flatMap((m) => (m.cmid === undefined ? [] : [{ conv: m.conv, senderId: m.senderId, cmid: m.cmid }]));
  const originals = new Map<string, MessageRow>();
  for (let i = 0; i < keys.length; i += LOOKUP_CHUNK) {
    const chunk = keys.slice(i, i + LOOKUP_CHUNK);
    const rows = await db
      .selectFrom('messages')
      .selectAll()
      .where(({ eb, refTuple, tuple }) => eb(refTuple('conv', 'sender_id', 'cmid'), 'in', chunk.map((k) => tuple(k.conv, k.senderId, k.cmid))))
      .execute();
    for (const row of rows) if (row.cmid !== null) originals.set(cmidKey({ conv: row.conv, senderId: row.sender_id, cmid: row.cmid }), row);
  }
  return originals;
}

/** What each input message becomes: a duplicate of a stored message, or the i-th new one. */
type Slot = { original: StoredMessage } | { fresh: number };

interface Plan {
  slots: Slot[];
  fresh: NewMessage[];
  /** Per new message: how many new messages of its conversation come after it in the batch. */
  back: number[];
  /** New messages per conversation. */
  counts: Map<string, number>;
}

function plan(batch: readonly NewMessage[], originals: Map<string, MessageRow>): Plan {
  const slots: Slot[] = [];
  const fresh: NewMessage[] = [];
  const offsets: number[] = [];
  const counts = new Map<string, number>();
  const firstInBatch = new Map<string, number>();
  for (const m of batch) {
    if (m.cmid !== undefined) {
      const key = cmidKey({ conv: m.conv, senderId: m.senderId, cmid: m.cmid });
      const original = originals.get(key);
      if (original !== undefined) {
        slots.push({ original: toStoredMessage(original) });
        continue;
      }
      // A cmid repeated within the batch is a duplicate of its first occurrence.
      const first = firstInBatch.get(key);
      if (first !== undefined) {
        slots.push({ fresh: first });
        continue;
      }
      firstInBatch.set(key, fresh.length);
    }
    const offset = (counts.get(m.conv) ?? 0) + 1;
    counts.set(m.conv, offset);
    slots.push({ fresh: fresh.length });
    fresh.push(m);
    offsets.push(offset);
  }
  const back = fresh.map((m, i) => (counts.get(m.conv) ?? 0) - (offsets[i] ?? 0));
  return { slots, fresh, back, counts };
}

async function appendOnce(db: Kysely<PgSchema>, batch: readonly NewMessage[], lookUpCmids: boolean): Promise<AppendResult[]> {
  const originals = lookUpCmids ? await findOriginals(db, batch) : new Map<string, MessageRow>();
  const { slots, fresh, back, counts } = plan(batch, originals);
  const lastSeqs = fresh.length === 0 ? new Map<string, number>() : await insertFresh(db, { fresh, back, counts });

  const stored = fresh.map((m, i): StoredMessage => {
    const seq = (lastSeqs.get(m.conv) ?? 0) - (back[i] ?? 0);
    return toStoredMessage({
      conv: m.conv,
      seq,
      sender_id: m.senderId,
      sender_name: m.senderName,
      target: m.target,
      body: m.text,
      cmid: m.cmid ?? null,
      kind: m.kind ?? null,
      ref: m.ref ?? null,
      created_at: m.createdAt,
    });
  });
  const seen = new Set<number>();
  return slots.map((slot) => {
    if ('original' in slot) return { message: slot.original, duplicate: true };
    const duplicate = seen.has(slot.fresh);
    seen.add(slot.fresh);
    return { message: stored[slot.fresh]!, duplicate };
  });
}

/** The one statement; returns each conversation's new last_seq. */
async function insertFresh(db: Kysely<PgSchema>, p: Omit<Plan, 'slots'>): Promise<Map<string, number>> {
  const convIds = [...p.counts.keys()];
  const pending = p.fresh.flatMap((m, i) => [...new Set(m.pendingFor ?? [])].map((accountId) => ({ accountId, conv: m.conv, back: p.back[i] ?? 0 })));
  // Rows for every direct conversation in the batch; the statement keeps them only when the
  // batch starts the conversation (its first seq is 1), as SQLite does on seq 1.
  const participants = convIds.flatMap((conv) => dmParticipantRows(conv).map((row) => ({ ...row, n: p.counts.get(conv) ?? 0 })));
  const col = <T>(pick: (m: NewMessage) => T) => p.fresh.map(pick);

  const result = await sql<{ id: string; last_seq: number }>`
    WITH s AS (
      INSERT INTO conversations AS c (id, last_seq)
      SELECT r.id, r.n FROM unnest(${convIds}::text[], ${convIds.map((id) => p.counts.get(id) ?? 0)}::bigint[]) AS r (id, n)
      ORDER BY r.id
      ON CONFLICT (id) DO UPDATE SET last_seq = c.last_seq + excluded.last_seq
      RETURNING c.id, c.last_seq
    ), m AS (
      INSERT INTO messages (conv, seq, sender_id, sender_name, target, body, cmid, kind, ref, created_at)
      SELECT r.conv, s.last_seq - r.back, r.sender_id, r.sender_name, r.target, r.body, r.cmid, r.kind, r.ref, r.created_at
      FROM unnest(
        ${col((m) => m.conv)}::text[], ${p.back}::bigint[], ${col((m) => m.senderId)}::text[],
        ${col((m) => m.senderName)}::text[], ${col((m) => m.target)}::text[], ${col((m) => m.text)}::text[],
        ${col((m) => m.cmid ?? null)}::text[], ${col((m) => m.kind ?? null)}::text[], ${col((m) => m.ref ?? null)}::bigint[],
        ${col((m) => m.createdAt)}::bigint[]
      ) WITH ORDINALITY AS r (conv, back, sender_id, sender_name, target, body, cmid, kind, ref, created_at, ord)
      JOIN s ON s.id = r.conv
      ORDER BY r.ord
      RETURNING 1
    ), p AS (
      INSERT INTO pending (account_id, conv, seq)
      SELECT r.account_id, r.conv, s.last_seq - r.back
      FROM unnest(${pending.map((x) => x.accountId)}::bigint[], ${pending.map((x) => x.conv)}::text[], ${pending.map((x) => x.back)}::bigint[])
        WITH ORDINALITY AS r (account_id, conv, back, ord)
      JOIN s ON s.id = r.conv
      ORDER BY r.ord
      ON CONFLICT DO NOTHING
      RETURNING 1
    ), d AS (
      INSERT INTO dm_participants (user_id, conv, peer_id)
      SELECT r.user_id, r.conv, r.peer_id
      FROM unnest(${participants.map((x) => x.user_id)}::text[], ${participants.map((x) => x.conv)}::text[],
        ${participants.map((x) => x.peer_id)}::text[], ${participants.map((x) => x.n)}::bigint[]) AS r (user_id, conv, peer_id, n)
      JOIN s ON s.id = r.conv
      WHERE s.last_seq = r.n
      ON CONFLICT DO NOTHING
      RETURNING 1
    )
    SELECT id, last_seq FROM s
  `.execute(db);
  return new Map(result.rows.map((row) => [row.id, row.last_seq]));
}
