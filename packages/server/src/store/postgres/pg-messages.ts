import { sql } from 'kysely';
import type { AppendResult, DirectConversationRecord, HistoryQuery, MessageLog, NewMessage, StoredMessage } from '../store.ts';
import { appendBatch } from './pg-append.ts';
import type { PgContext } from './pg-context.ts';
import { toStoredMessage } from './pg-rows.ts';

/**
 * The message log on PostgreSQL. Nothing is cached: other nodes write the same tables, so
 * every answer is read from the database (see MessageLog's concurrency contract).
 */
/** Rows per retention statement: ~5k rows with their index entries and cascades stay well under a second. */
const RETENTION_CHUNK = 5000;

export class PgMessageLog implements MessageLog {
  constructor(private readonly ctx: PgContext) {}

  appendMessages(batch: readonly NewMessage[]): Promise<AppendResult[]> {
    if (batch.length === 0) return this.ctx.run('appending messages', async () => []);
    return this.ctx.run('appending messages', (db) => appendBatch(db, batch));
  }

  history(conv: string, query: HistoryQuery): Promise<StoredMessage[]> {
    return this.ctx.run('reading history', async (db) => {
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
    });
  }

  lastSeq(conv: string): Promise<number> {
    return this.ctx.run('reading the last sequence number', async (db) => {
      const row = await db.selectFrom('conversations').select('last_seq').where('id', '=', conv).executeTakeFirst();
      return row?.last_seq ?? 0;
    });
  }

  lastSeqs(convs: readonly string[]): Promise<Map<string, number>> {
    return this.ctx.run('reading last sequence numbers', async (db) => {
      if (convs.length === 0) return new Map<string, number>();
      const rows = await db
        .selectFrom('conversations')
        .select(['id', 'last_seq'])
        .where('id', '=', sql<string>`ANY(${[...new Set(convs)]}::text[])`)
        .where('last_seq', '>', 0)
        .execute();
      return new Map(rows.map((r) => [r.id, r.last_seq]));
    });
  }

  /**
   * One index range on dm_participants for the user's conversations, a primary-key lookup each
   * for the last seq and the newest message, and one for an account peer's name.
   */
  directConversations(userId: string, limit: number): Promise<DirectConversationRecord[]> {
    return this.ctx.run('listing direct conversations', async (db) => {
      const n = Math.floor(limit);
      if (!(n > 0)) return [];
      // An account peer's id is "a<account id>"; anything else (a guest) matches no account.
      // The pattern guards the cast, which would fail on "abc" where SQLite's yields 0.
      const peerAccount = sql<number | null>`CASE WHEN d.peer_id ~ '^a[0-9]{1,18}$' THEN substr(d.peer_id, 2)::bigint END`;
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
    });
  }

  /**
   * In chunks of RETENTION_CHUNK rows, each its own statement, so a large backlog neither
   * runs into statement_timeout nor holds a long transaction. Concurrent runs on several nodes
   * each delete a row once (the later one skips a row deleted under it), so counts add up.
   */
  deleteMessagesBefore(cutoff: number): Promise<number> {
    return this.ctx.run('deleting old messages', async (db) => {
      let total = 0;
      for (;;) {
        // Queued copies go with them through the pending -> messages cascade.
        const result = await db
          .deleteFrom('messages')
          .where(({ eb, refTuple, selectFrom }) =>
            eb(refTuple('conv', 'seq'), 'in', selectFrom('messages').select(['conv', 'seq']).where('created_at', '<', cutoff).limit(RETENTION_CHUNK).$asTuple('conv', 'seq')),
          )
          .executeTakeFirst();
        const deleted = Number(result.numDeletedRows);
        total += deleted;
        if (deleted === 0) return total;
      }
    });
  }

  pendingFor(accountId: number, limit: number): Promise<StoredMessage[]> {
    return this.ctx.run('reading pending messages', async (db) => {
      const n = Math.floor(limit);
      if (!(n > 0)) return [];
      const rows = await db
        .selectFrom('pending as p')
        .innerJoin('messages as m', (join) => join.onRef('m.conv', '=', 'p.conv').onRef('m.seq', '=', 'p.seq'))
        .selectAll('m')
        .where('p.account_id', '=', accountId)
        // Insertion order, which is seq order within every conversation even when the wall
        // clock behind createdAt went backwards.
        .orderBy('p.id')
        .limit(n)
        .execute();
      return rows.map(toStoredMessage);
    });
  }

  /** One statement for any number of messages (arrays, not one parameter per message). */
  clearPending(accountId: number, delivered: readonly { conv: string; seq: number }[]): Promise<void> {
    return this.ctx.run('clearing pending messages', async (db) => {
      if (delivered.length === 0) return;
      await db
        .deleteFrom('pending')
        .where('account_id', '=', accountId)
        .where(sql<boolean>`(conv, seq) IN (SELECT * FROM unnest(${delivered.map((d) => d.conv)}::text[], ${delivered.map((d) => d.seq)}::bigint[]))`)
        .execute();
    });
  }
}
