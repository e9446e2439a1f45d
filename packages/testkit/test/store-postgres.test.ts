import { openPostgresStore } from '@parley/server';
import { dropSchema, scratchSchemaName, TEST_POSTGRES_URL } from '../src/postgres-scratch.ts';
import { describeStoreConformance } from '../src/store-conformance.ts';

/** Each test gets a store in a schema of its own on the machine's PostgreSQL, dropped afterwards. */
describeStoreConformance('postgres', async () => {
  const schema = scratchSchemaName();
  const store = await openPostgresStore({ url: TEST_POSTGRES_URL, schema, poolSize: 4, statementTimeoutMs: 10_000, connectTimeoutMs: 5000 });
  return { store, cleanup: () => dropSchema(TEST_POSTGRES_URL, schema) };
});
