import type Database from 'better-sqlite3';
import type { Compilable } from 'kysely';

/*
 * Queries built with Kysely (so rows are typed by SqliteSchema) and run synchronously on the
 * better-sqlite3 handle, for writes of several statements that must commit together.
 *
 * Not Kysely's db.transaction(): on SqliteDialect that is a plain BEGIN held across awaits on the
 * one connection, and what the store runs on the handle directly (appendMessages' transaction,
 * the prepared findAccount) does not wait for Kysely's connection lock, so it would run inside
 * that transaction: an append would become a savepoint, committed or rolled back with someone
 * else's write. A better-sqlite3 transaction runs to its end before anything else can, and its
 * `.immediate()` takes the write lock up front, waiting up to busy_timeout for another process
 * on the file (`parley admin`) instead of failing with SQLITE_BUSY on the upgrade from read to write.
 */

/** The first row; throws when there is none (the caller maps it to a StoreError). */
export function oneSync<TRow>(sqlite: Database.Database, query: Compilable<TRow>): TRow {
  const { sql, parameters } = query.compile();
  const row = sqlite.prepare<unknown[], TRow>(sql).get(...parameters);
  if (row === undefined) throw new Error(`no row from: ${sql}`);
  return row;
}

/** The first row, or undefined. */
export function firstSync<TRow>(sqlite: Database.Database, query: Compilable<TRow>): TRow | undefined {
  const { sql, parameters } = query.compile();
  return sqlite.prepare<unknown[], TRow>(sql).get(...parameters);
}

/** Every row. */
export function rowsSync<TRow>(sqlite: Database.Database, query: Compilable<TRow>): TRow[] {
  const { sql, parameters } = query.compile();
  return sqlite.prepare<unknown[], TRow>(sql).all(...parameters);
}

/** Runs a statement that returns no rows; answers how many rows it changed. */
export function runSync(sqlite: Database.Database, query: Compilable): number {
  const { sql, parameters } = query.compile();
  return sqlite.prepare(sql).run(...parameters).changes;
}
