import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Replies, edits, redactions and reactions (store/message-state.ts): `ref` names the message a
 * message answers or is about, indexed for the fold of a history page; read positions per user
 * and conversation.
 */
export const messageStateMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`ALTER TABLE messages ADD COLUMN ref INTEGER`.execute(db);
    await sql`CREATE INDEX messages_ref ON messages (conv, ref) WHERE ref IS NOT NULL`.execute(db);
    await sql`CREATE TABLE read_positions (
      user_id TEXT NOT NULL,
      conv TEXT NOT NULL,
      seq INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (user_id, conv)
    )`.execute(db);
  },
};
