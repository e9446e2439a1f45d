import { sql } from 'kysely';
import { ABOUT_KINDS, NOT_UNREAD_KINDS, type MessageState } from '../message-state.ts';
import type { SqliteParts } from './sqlite-parts.ts';
import { toStoredMessage } from './sqlite-rows.ts';
import type { SearchIndexer } from './sqlite-search-index.ts';

/** SQLite's default limit on bound parameters is 32766; stay far below it. */
const CHUNK = 500;

/** Edits, redactions, reactions and read positions on SQLite (store/message-state.ts). */
export function sqliteMessageState({ db, run }: SqliteParts, indexer: SearchIndexer): MessageState {
  return {
    about: (conv, seqs) =>
      run('reading what happened to messages', async () => {
        const rows = [];
        for (let i = 0; i < seqs.length; i += CHUNK) {
          const chunk = seqs.slice(i, i + CHUNK);
          rows.push(
            ...(await db
              .selectFrom('messages')
              .selectAll()
              .where('conv', '=', conv)
              .where('ref', 'in', chunk)
              .where('kind', 'in', [...ABOUT_KINDS])
              .execute()),
          );
        }
        return rows.sort((a, b) => a.seq - b.seq).map(toStoredMessage);
      }),
    blank: (conv, seqs) =>
      run('blanking messages', async () => {
        for (let i = 0; i < seqs.length; i += CHUNK) {
          await db.updateTable('messages').set({ body: '' }).where('conv', '=', conv).where('seq', 'in', seqs.slice(i, i + CHUNK)).execute();
        }
      }),
    setRead: ({ userId, conv, seq, at }) =>
      run('saving a read position', async () => {
        await db
          .insertInto('read_positions')
          .values({ user_id: userId, conv, seq, updated_at: at })
          .onConflict((oc) => oc.columns(['user_id', 'conv']).doUpdateSet({ seq: sql`max(seq, excluded.seq)`, updated_at: sql`excluded.updated_at` }))
          .execute();
        const row = await db.selectFrom('read_positions').select('seq').where('user_id', '=', userId).where('conv', '=', conv).executeTakeFirst();
        return row?.seq ?? seq;
      }),
    readPositions: (userId) =>
      run('reading read positions', async () => {
        const rows = await db.selectFrom('read_positions').select(['conv', 'seq']).where('user_id', '=', userId).execute();
        return new Map(rows.map((r) => [r.conv, r.seq]));
      }),
    search: (query) =>
      run('searching messages', async () => {
        if (query.terms.length === 0 || query.convs.length === 0) return [];
        // Each term quoted (no FTS5 syntax gets through), all of them required, the last also as a prefix.
        const match = query.terms.map((t, i) => `"${t.replaceAll('"', '""')}"${i === query.terms.length - 1 ? '*' : ''}`).join(' AND ');
        // Whatever the background has not indexed yet, first: a search sees every stored message.
        indexer.catchUp();
        let q = db
          .selectFrom('messages as m')
          .selectAll('m')
          .where(sql<boolean>`m.rowid IN (SELECT rowid FROM message_search WHERE message_search MATCH ${match})`)
          .where('m.conv', 'in', query.convs.slice(0, CHUNK));
        if (query.from !== undefined) q = q.where(sql<boolean>`lower(m.sender_name) = lower(${query.from})`);
        if (query.after !== undefined) q = q.where('m.created_at', '>=', query.after);
        if (query.before !== undefined) q = q.where('m.created_at', '<', query.before);
        const rows = await q.orderBy('m.created_at', 'desc').orderBy('m.seq', 'desc').limit(query.limit).execute();
        return rows.map(toStoredMessage);
      }),
    unreadCounts: (userId, positions, cap) =>
      run('counting unread messages', async () => {
        const counts = new Map<string, number>();
        for (const { conv, after } of positions) {
          // A bounded scan of the conversation's primary key from the read position.
          const row = await db
            .selectFrom((eb) =>
              eb
                .selectFrom('messages')
                .select('seq')
                .where('conv', '=', conv)
                .where('seq', '>', after)
                .where('sender_id', '!=', userId)
                .where((w) => w.or([w('kind', 'is', null), w('kind', 'not in', [...NOT_UNREAD_KINDS])]))
                .limit(cap)
                .as('u'),
            )
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirst();
          counts.set(conv, Number(row?.n ?? 0));
        }
        return counts;
      }),
  };
}
