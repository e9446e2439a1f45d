import { sql, type Kysely, type Migration } from 'kysely';
import { dmParticipantRows } from '../dm-participants.ts';

/**
 * Who is in which direct conversation, so `directConversations` is an index range per user
 * instead of a scan of every conversation id: a conversation id `dm:<idA>:<idB>` can be found
 * by its first id with a prefix range on the primary key, but not by its second. One row per
 * person and conversation (one for a note to self), written with the conversation's first
 * message (sqlite-append.ts). Fills in the conversations stored before.
 */
export const dmParticipantsMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('dm_participants')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('conv', 'text', (c) => c.notNull())
      .addColumn('peer_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('dm_participants_pk', ['user_id', 'conv'])
      .modifyEnd(sql`without rowid`)
      .execute();
    const rows: { id: string }[] = await db.selectFrom('conversations').select('id').where('id', 'like', 'dm:%').execute();
    const participants = rows.flatMap(({ id }) => dmParticipantRows(id));
    // Chunks keep each insert far below SQLite's limit on bound parameters.
    for (let i = 0; i < participants.length; i += 300) {
      await db.insertInto('dm_participants').values(participants.slice(i, i + 300)).onConflict((oc) => oc.doNothing()).execute();
    }
  },
};
