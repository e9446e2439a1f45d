import type { Kysely } from 'kysely';
import type { PgSchema } from './pg-rows.ts';

/**
 * How the parts of PostgresStore run a query: `run` rejects with 'unavailable' after close,
 * turns every driver error into a StoreError (a unique violation into 'conflict' only when
 * `conflictOnUnique`), and passes 'io' and 'full' errors to the resource reporter.
 */
export interface PgContext {
  readonly db: Kysely<PgSchema>;
  run<T>(action: string, fn: (db: Kysely<PgSchema>) => Promise<T>, conflictOnUnique?: boolean): Promise<T>;
}
