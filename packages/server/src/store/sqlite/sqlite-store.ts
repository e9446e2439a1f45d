import fs from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { Store } from '../store.ts';
import { StoreError } from '../store.ts';
import { openMigratedDatabase } from './sqlite-connection.ts';
import { prepareAppend } from './sqlite-append.ts';
import { sqliteDirectory } from './sqlite-directory.ts';
import { SqliteE2e } from './sqlite-e2e.ts';
import { sqliteFederation } from './sqlite-federation.ts';
import { sqliteMessageLog } from './sqlite-messages.ts';
import { sqliteMessageState } from './sqlite-message-state.ts';
import { SearchIndexer } from './sqlite-search-index.ts';
import { sqliteModeration } from './sqlite-moderation.ts';
import type { SqliteParts, StoreRunner } from './sqlite-parts.ts';
import { resourceReporter, toStoreError, type SqliteSchema } from './sqlite-rows.ts';

/**
 * Opens the SQLite store: the Store's parts (message log, directory, moderation, e2e), each in its
 * own file, on one connection, with every call run through the one error mapping below.
 * `onResourceError` hears of a full or failing disk (at most once a minute), so the server can log it.
 */
export async function openSqliteStore(options: { file: string; onResourceError?: (error: StoreError) => void }): Promise<Store> {
  const { sqlite, db } = await openMigratedDatabase(options.file);
  const reported = resourceReporter(options.onResourceError);
  let closed = false;
  const run: StoreRunner = async (action, fn, conflictOnUnique = false) => {
    if (closed) throw new StoreError('unavailable', 'the store is closed');
    try {
      return await fn();
    } catch (err) {
      throw reported(toStoreError(err, action, conflictOnUnique));
    }
  };
  const parts: SqliteParts = { sqlite, db, run };
  const identity = await db.selectFrom('store_identity').select('epoch').executeTakeFirstOrThrow();
  // One for the store: the message log and the e2e part's commits share its cache of last seqs.
  const append = prepareAppend(sqlite);
  const indexer = new SearchIndexer(sqlite);

  return {
    kind: 'sqlite',
    epoch: identity.epoch,
    ...sqliteMessageLog(parts, append, indexer),
    ...sqliteMessageState(parts, indexer),
    ...sqliteDirectory(parts),
    ...sqliteModeration(parts),
    e2e: new SqliteE2e(parts, append),
    federation: sqliteFederation(parts, append),
    sizeBytes: () => run('measuring the store', () => sizeBytes(db, options.file)),
    async close() {
      if (closed) return;
      closed = true;
      indexer.stop();
      try {
        await db.destroy();
        if (sqlite.open) sqlite.close();
      } catch (err) {
        throw toStoreError(err, 'closing the database');
      }
    },
  };
}

/** The database file with its WAL and shared-memory files; the pages of a private one. */
async function sizeBytes(db: Kysely<SqliteSchema>, file: string): Promise<number> {
  if (file === '' || file === ':memory:') {
    const { rows } = await sql<{ bytes: number }>`select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`.execute(db);
    return rows[0]?.bytes ?? 0;
  }
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += fs.statSync(file + suffix).size;
    } catch {
      // The WAL and shared-memory files come and go with checkpoints.
    }
  }
  return total;
}
