import type Database from 'better-sqlite3';

/**
 * Takes a Parley SQLite database back to the schema of migration 0004 (messages.kind is the
 * newest thing in it), as a database an older Parley left, so a test can open it and watch the
 * migrations since run on real data. Every migration after 0004 is undone here, newest first;
 * a new migration adds its undo at the top.
 */
export function undoMigrationsAfter0004(db: Database.Database): void {
  // 0014: search.
  for (const trigger of ['message_search_insert', 'message_search_update', 'message_search_delete']) db.prepare(`DROP TRIGGER ${trigger}`).run();
  db.prepare('DROP TABLE message_search').run();
  db.prepare('DROP TABLE message_search_queue').run();
  // 0013: replies, edits and reactions (`ref`), read positions.
  db.prepare('DROP TABLE read_positions').run();
  db.prepare('DROP INDEX messages_ref').run();
  db.prepare('ALTER TABLE messages DROP COLUMN ref').run();
  // 0011, 0012: federation.
  for (const table of ['fed_peers', 'fed_mirrored_rooms', 'fed_followers', 'fed_remote_members', 'fed_events', 'fed_outbox', 'fed_counters', 'fed_welcomes']) db.prepare(`DROP TABLE ${table}`).run();
  // 0010: encrypted rooms; 0009: the e2e tables.
  db.prepare('ALTER TABLE rooms DROP COLUMN encrypted').run();
  for (const table of ['e2e_welcomes', 'e2e_group_members', 'e2e_groups', 'e2e_key_packages', 'e2e_devices', 'e2e_identities']) db.prepare(`DROP TABLE ${table}`).run();
  // 0008 account keys, 0007 the store's identity, 0006 devices, 0005 dm_participants.
  for (const table of ['account_keys', 'store_identity', 'devices', 'dm_participants']) db.prepare(`DROP TABLE ${table}`).run();
  db.prepare("DELETE FROM kysely_migration WHERE name >= '0005'").run();
}
