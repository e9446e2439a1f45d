import { sql } from 'kysely';
import { ABOUT_KINDS, NOT_UNREAD_KINDS, type MessageState, type ReadPosition, type SearchQuery } from '../message-state.ts';
import type { StoredMessage } from '../store.ts';
import type { PgContext } from './pg-context.ts';
import { toStoredMessage } from './pg-rows.ts';

/** Edits, redactions, reactions and read positions on PostgreSQL (store/message-state.ts); nothing cached. */
export class PgMessageState implements MessageState {
  constructor(private readonly ctx: PgContext) {}

  about(conv: string, seqs: readonly number[]): Promise<StoredMessage[]> {
    return this.ctx.run('reading what happened to messages', async (db) => {
      if (seqs.length === 0) return [];
      const rows = await db
        .selectFrom('messages')
        .selectAll()
        .where('conv', '=', conv)
        .where('ref', '=', sql<number>`ANY(${[...seqs]}::bigint[])`)
        .where('kind', 'in', [...ABOUT_KINDS])
        .orderBy('seq')
        .execute();
      return rows.map(toStoredMessage);
    });
  }

  blank(conv: string, seqs: readonly number[]): Promise<void> {
    return this.ctx.run('blanking messages', async (db) => {
      if (seqs.length === 0) return;
      await db.updateTable('messages').set({ body: '' }).where('conv', '=', conv).where('seq', '=', sql<number>`ANY(${[...seqs]}::bigint[])`).execute();
    });
  }

  setRead({ userId, conv, seq, at }: ReadPosition): Promise<number> {
    return this.ctx.run('saving a read position', async (db) => {
      const row = await db
        .insertInto('read_positions')
        .values({ user_id: userId, conv, seq, updated_at: at })
        .onConflict((oc) => oc.columns(['user_id', 'conv']).doUpdateSet({ seq: sql`greatest(read_positions.seq, excluded.seq)`, updated_at: sql`excluded.updated_at` }))
        .returning('seq')
        .executeTakeFirst();
      return Number(row?.seq ?? seq);
    });
  }

  readPositions(userId: string): Promise<Map<string, number>> {
    return this.ctx.run('reading read positions', async (db) => {
      const rows = await db.selectFrom('read_positions').select(['conv', 'seq']).where('user_id', '=', userId).execute();
      return new Map(rows.map((r) => [r.conv, Number(r.seq)]));
    });
  }

  search(query: SearchQuery): Promise<StoredMessage[]> {
    return this.ctx.run('searching messages', async (db) => {
      if (query.terms.length === 0 || query.convs.length === 0) return [];
      // Terms are letters and digits only (searchTerms), so they are safe in a tsquery; the last also as a prefix.
      const tsquery = query.terms.map((t, i) => `${t}${i === query.terms.length - 1 ? ':*' : ''}`).join(' & ');
      let q = db
        .selectFrom('messages as m')
        .selectAll('m')
        .where(sql<boolean>`to_tsvector('simple', m.body) @@ to_tsquery('simple', ${tsquery})`)
        .where(sql<boolean>`(m.kind IS NULL OR m.kind IN ('action', 'edit'))`)
        .where('m.conv', '=', sql<string>`ANY(${[...query.convs]}::text[])`);
      if (query.from !== undefined) q = q.where(sql<boolean>`lower(m.sender_name) = lower(${query.from})`);
      if (query.after !== undefined) q = q.where('m.created_at', '>=', query.after);
      if (query.before !== undefined) q = q.where('m.created_at', '<', query.before);
      const rows = await q.orderBy('m.created_at', 'desc').orderBy('m.seq', 'desc').limit(query.limit).execute();
      return rows.map(toStoredMessage);
    });
  }

  unreadCounts(userId: string, positions: readonly { conv: string; after: number }[], cap: number): Promise<Map<string, number>> {
    return this.ctx.run('counting unread messages', async (db) => {
      const counts = new Map<string, number>();
      if (positions.length === 0) return counts;
      // One round trip: a lateral, capped scan of each conversation from its read position.
      const rows = await sql<{ conv: string; n: string }>`
        SELECT p.conv, (
          SELECT count(*) FROM (
            SELECT 1 FROM messages m
            WHERE m.conv = p.conv AND m.seq > p.after AND m.sender_id <> ${userId}
              AND (m.kind IS NULL OR m.kind <> ALL(${[...NOT_UNREAD_KINDS]}::text[]))
            LIMIT ${cap}
          ) u
        ) AS n
        FROM unnest(${positions.map((p) => p.conv)}::text[], ${positions.map((p) => p.after)}::bigint[]) AS p (conv, after)
      `.execute(db);
      for (const row of rows.rows) counts.set(row.conv, Number(row.n));
      return counts;
    });
  }
}
