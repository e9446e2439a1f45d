import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Full-text search (store/message-state.ts search): an FTS5 index of the text people wrote in
 * plaintext (ordinary messages, actions, edits; never ciphertext), kept by triggers so every
 * path that writes messages (appends, replicas, redactions that blank them, retention that
 * deletes them) keeps it right. unicode61 with diacritics removed: "cafe" finds "café".
 */
export const searchMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE VIRTUAL TABLE message_search USING fts5(body, conv UNINDEXED, seq UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
    const searched = sql.raw(`(kind IS NULL OR kind IN ('action', 'edit'))`);
    await sql`INSERT INTO message_search (rowid, body, conv, seq) SELECT rowid, body, conv, seq FROM messages WHERE ${searched}`.execute(db);
    await sql`CREATE TRIGGER message_search_insert AFTER INSERT ON messages WHEN new.kind IS NULL OR new.kind IN ('action', 'edit')
      BEGIN INSERT INTO message_search (rowid, body, conv, seq) VALUES (new.rowid, new.body, new.conv, new.seq); END`.execute(db);
    await sql`CREATE TRIGGER message_search_update AFTER UPDATE OF body ON messages WHEN new.kind IS NULL OR new.kind IN ('action', 'edit')
      BEGIN UPDATE message_search SET body = new.body WHERE rowid = new.rowid; END`.execute(db);
    await sql`CREATE TRIGGER message_search_delete AFTER DELETE ON messages WHEN old.kind IS NULL OR old.kind IN ('action', 'edit')
      BEGIN DELETE FROM message_search WHERE rowid = old.rowid; END`.execute(db);
  },
};
