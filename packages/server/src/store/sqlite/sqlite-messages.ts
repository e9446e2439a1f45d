import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DirectConversationRecord, HistoryQuery, MessageLog, StoredMessage } from '../store.ts';
import type { AppendTransaction } from './sqlite-append.ts';
import type { SearchIndexer } from './sqlite-search-index.ts';
import type { SqliteParts } from './sqlite-parts.ts';
import { toStoredMessage, type SqliteSchema } from './sqlite-rows.ts';

/**
 * The message log part of the SQLite store: appends and last sequence numbers are the hot path
 * in sqlite-append.ts, on prepared statements; reads and deletions are plain Kysely queries.
 * `append` is the store's one AppendTransaction: the e2e part appends commits through it too,
 * so its cache of last seqs stays the only one.
 */
export function sqliteMessageLog({ db, run }: SqliteParts, append: AppendTransaction, indexer: SearchIndexer): MessageLog {
  return {
    appendMessages(batch) {
      return run('appending messages', async () => {
        if (batch.length === 0) return [];
        indexer.noteAppend();
        // IMMEDIATE takes the write lock up front (waiting up to busy_timeout); a deferred
        // transaction that upgrades from read to write can fail with SQLITE_BUSY at once in WAL.
        return append.immediate(batch);
      });
    },
    history: (conv, query) => run('reading history', () => readHistory(db, conv, query)),
    lastSeq: (conv) => run('reading the last sequence number', async () => append.lastSeq(conv)),
    lastSeqs(convs) {
      return run('reading last sequence numbers', async () => {
        const seqs = new Map<string, number>();
        for (const conv of convs) {
          const seq = append.lastSeq(conv);
          if (seq > 0) seqs.set(conv, seq);
        }
        return seqs;
      });
    },
    directConversations: (userId, limit) => run('listing direct conversations', () => readDirectConversations(db, userId, limit)),
    deleteMessagesBefore: (cutoff) => run('deleting old messages', () => deleteMessagesBefore(db, cutoff)),
    pendingFor: (accountId, limit) => run('reading pending messages', () => readPending(db, accountId, limit)),
    clearPending: (accountId, delivered) => run('clearing pending messages', () => clearPending(db, accountId, delivered)),
  };
}

/** SQLite's default limit on bound parameters is 32766; stay far below it. */
const CLEAR_CHUNK = 500;

// rowid is insertion order, which is seq order within every conversation even when the wall
// clock behind createdAt went backwards.
const pendingOrder = sql<number>`p.rowid`;

async function readHistory(db: Kysely<SqliteSchema>, conv: string, query: HistoryQuery): Promise<StoredMessage[]> {
  // SQLite treats a negative LIMIT as "no limit".
  const limit = Math.floor(query.limit);
  if (!(limit > 0)) return [];
  let q = db.selectFrom('messages').selectAll().where('conv', '=', conv);
  if (query.before !== undefined) q = q.where('seq', '<', query.before);
  if (query.after !== undefined) {
    const rows = await q.where('seq', '>', query.after).orderBy('seq', 'asc').limit(limit).execute();
    return rows.map(toStoredMessage);
  }
  const rows = await q.orderBy('seq', 'desc').limit(limit).execute();
  return rows.reverse().map(toStoredMessage);
}

async function deleteMessagesBefore(db: Kysely<SqliteSchema>, cutoff: number): Promise<number> {
  // Queued copies go with them through the pending -> messages cascade.
  const result = await db.deleteFrom('messages').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}

async function readPending(db: Kysely<SqliteSchema>, accountId: number, limit: number): Promise<StoredMessage[]> {
  const n = Math.floor(limit);
  if (!(n > 0)) return [];
  const rows = await db
    .selectFrom('pending as p')
    .innerJoin('messages as m', (join) => join.onRef('m.conv', '=', 'p.conv').onRef('m.seq', '=', 'p.seq'))
    .selectAll('m')
    .where('p.account_id', '=', accountId)
    .orderBy(pendingOrder)
    .limit(n)
    .execute();
  return rows.map(toStoredMessage);
}

async function clearPending(db: Kysely<SqliteSchema>, accountId: number, delivered: readonly { conv: string; seq: number }[]): Promise<void> {
  const byConv = new Map<string, number[]>();
  for (const { conv, seq } of delivered) {
    const seqs = byConv.get(conv);
    if (seqs === undefined) byConv.set(conv, [seq]);
    else seqs.push(seq);
  }
  // Not one transaction: clearing is idempotent, so a partial clear is harmless (the rest is
  // delivered again and the client dedupes by seq).
  for (const [conv, seqs] of byConv) {
    for (let i = 0; i < seqs.length; i += CLEAR_CHUNK) {
      await db
        .deleteFrom('pending')
        .where('account_id', '=', accountId)
        .where('conv', '=', conv)
        .where('seq', 'in', seqs.slice(i, i + CLEAR_CHUNK))
        .execute();
    }
  }
}

/**
 * One index range on dm_participants for the user's conversations, then a primary-key lookup
 * each for the conversation's last seq and its newest message, and one for an account peer's
 * name; the sort is over the user's conversations only.
 */
async function readDirectConversations(db: Kysely<SqliteSchema>, userId: string, limit: number): Promise<DirectConversationRecord[]> {
  const n = Math.floor(limit);
  if (!(n > 0)) return [];
  // An account peer's id is "a<account id>"; anything else (a guest) matches no account row.
  // A user of another server ("a5@ps1…", federation) is not this server's account 5.
  const peerAccount = sql<number | null>`case when substr(d.peer_id, 1, 1) = 'a' and instr(d.peer_id, '@') = 0 then cast(substr(d.peer_id, 2) as integer) end`;
  const rows = await db
    .selectFrom('dm_participants as d')
    .innerJoin('conversations as c', 'c.id', 'd.conv')
    .innerJoin('messages as m', (join) => join.onRef('m.conv', '=', 'd.conv').onRef('m.seq', '=', 'c.last_seq'))
    .leftJoin('accounts as a', (join) => join.on('a.id', '=', peerAccount))
    .select(['d.conv', 'd.peer_id', 'c.last_seq', 'm.created_at', 'm.sender_id', 'm.sender_name', 'm.target', 'a.name as account_name'])
    .where('d.user_id', '=', userId)
    .orderBy('m.created_at', 'desc')
    .orderBy('d.conv')
    .limit(n)
    .execute();
  return rows.map((row) => ({
    conv: row.conv,
    peerId: row.peer_id,
    // The newest message names the peer as its sender or as its `to`, as it was called then.
    peerName: row.account_name ?? (row.sender_id === row.peer_id ? row.sender_name : row.target),
    lastSeq: row.last_seq,
    lastAt: row.created_at,
  }));
}
