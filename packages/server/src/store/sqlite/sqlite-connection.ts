import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateToLatest } from './migrations.ts';
import { toStoreError, type SqliteSchema } from './sqlite-rows.ts';

/**
 * Opens (creating it if needed) the SQLite file, sets the pragmas Parley relies on and brings
 * the schema to the latest version; refuses a file migrated by a newer Parley. On any failure
 * the connection is closed and a StoreError thrown.
 */
export async function openMigratedDatabase(file: string): Promise<{ sqlite: Database.Database; db: Kysely<SqliteSchema> }> {
  let sqlite: Database.Database;
  try {
    // '' is SQLite's private temporary database; neither it nor ':memory:' has a directory.
    if (file !== ':memory:' && file !== '') {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    }
    sqlite = new Database(file);
  } catch (err) {
    throw toStoreError(err, `opening database ${file}`);
  }

  // Kysely shares the one connection with the hot path in sqlite-append.ts. That is safe only
  // because the store never opens a Kysely transaction (each Kysely query is one synchronous
  // driver call) and its transactions are better-sqlite3's, which are synchronous (the hot
  // path's, and the Kysely-built writes of sqlite-sync.ts), so the two never interleave.
  const db = new Kysely<SqliteSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    // busy_timeout first so the journal switch waits for another process instead of failing.
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('journal_mode = WAL');
    // NORMAL in WAL mode can lose the last commits on power loss but never corrupts the file;
    // FULL would add an fsync to every appendMessages call.
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    await migrateToLatest(db);
    return { sqlite, db };
  } catch (err) {
    await db.destroy().catch(() => undefined);
    // Kysely only closes the database if it had started using it.
    if (sqlite.open) sqlite.close();
    throw toStoreError(err, `opening database ${file}`);
  }
}
