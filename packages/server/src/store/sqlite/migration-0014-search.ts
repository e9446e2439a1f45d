import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Full-text search (store/message-state.ts search): an FTS5 index of the text people wrote in
 * plaintext (ordinary messages, actions, edits; never ciphertext). Indexing costs some 20 µs a
 * message, three times an append, so it is not done in the append: a trigger only queues the
 * new row (about 1 µs), and the store indexes the queue in the background and before every
 * search (sqlite-search-index.ts). Blanking (redaction) and deleting (retention) reach the index
 * at once through triggers. Contentless (the text stays in `messages` only) and without
 * positions: search needs no phrases. unicode61 with diacritics removed: "cafe" finds "café".
 */
export const searchMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE VIRTUAL TABLE message_search USING fts5(body, content = '', contentless_delete = 1, detail = none, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
    await sql`CREATE TABLE message_search_queue (id INTEGER PRIMARY KEY, message INTEGER NOT NULL)`.execute(db);
    // What is stored already waits in the queue like a new message.
    await sql`INSERT INTO message_search_queue (message) SELECT rowid FROM messages WHERE kind IS NULL OR kind IN ('action', 'edit') ORDER BY rowid`.execute(db);
    await sql`CREATE TRIGGER message_search_insert AFTER INSERT ON messages WHEN new.kind IS NULL OR new.kind IN ('action', 'edit')
      BEGIN INSERT INTO message_search_queue (message) VALUES (new.rowid); END`.execute(db);
    await sql`CREATE TRIGGER message_search_update AFTER UPDATE OF body ON messages WHEN new.kind IS NULL OR new.kind IN ('action', 'edit')
      BEGIN DELETE FROM message_search WHERE rowid = new.rowid; INSERT INTO message_search_queue (message) VALUES (new.rowid); END`.execute(db);
    await sql`CREATE TRIGGER message_search_delete AFTER DELETE ON messages WHEN old.kind IS NULL OR old.kind IN ('action', 'edit')
      BEGIN DELETE FROM message_search WHERE rowid = old.rowid; END`.execute(db);
  },
};
