import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { SqliteSchema } from './sqlite-rows.ts';

/**
 * How the store runs every call (sqlite-store.ts, the one place errors are mapped): rejects once
 * the store is closed, and turns driver errors into StoreErrors, `conflictOnUnique` making a
 * unique key violation 'conflict'.
 */
export type StoreRunner = <T>(action: string, fn: () => Promise<T>, conflictOnUnique?: boolean) => Promise<T>;

/** What each part of the SQLite store is built on: the one connection, raw and through Kysely. */
export interface SqliteParts {
  readonly sqlite: Database.Database;
  readonly db: Kysely<SqliteSchema>;
  readonly run: StoreRunner;
}
