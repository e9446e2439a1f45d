import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { prepareDataDir } from './data-dir.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import { openPostgresStore } from './postgres/pg-store.ts';
import type { Store, StoreError } from './store.ts';

/** Opens the store the configuration names; `parley serve` and tests without their own store use it. */
export async function openConfiguredStore(config: Config, log: Logger): Promise<Store> {
  // Clients get STORE_FULL / STORE_UNAVAILABLE; the operator has to hear of it here.
  const onResourceError = (err: StoreError) =>
    log.error({ err }, `the store cannot write (${err.code === 'full' ? 'disk full' : 'I/O error, read-only or unreachable'}); commands that store anything fail until it can`);
  if (config.store === 'postgres') {
    const { schema, pool_size: poolSize, statement_timeout_ms: statementTimeoutMs, connect_timeout_ms: connectTimeoutMs } = config.postgres;
    return openPostgresStore({ url: config.store_url, schema, poolSize, statementTimeoutMs, connectTimeoutMs, onResourceError });
  }
  // A read-only or unwritable data dir is refused here with its path and reason (DataDirError).
  const dataDir = await prepareDataDir(config.data_dir);
  return openSqliteStore({ file: join(dataDir, 'parley.db'), onResourceError });
}
