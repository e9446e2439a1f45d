import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStore, StoreError, type NewMessage, type PostgresStore } from '@parley/server';
import { dropSchema, scratchSchemaName, TEST_POSTGRES_URL, withPostgresClient } from '../src/postgres-scratch.ts';
import { expectStoreError } from '../src/store-conformance-helpers.ts';

/** What the conformance suite cannot express: reopening, migrations, engine settings. */
describe('PostgreSQL store', () => {
  const schemas: string[] = [];
  const open: PostgresStore[] = [];

  function newSchema(): string {
    const schema = scratchSchemaName();
    schemas.push(schema);
    return schema;
  }

  async function openStore(schema: string, extra: { statementTimeoutMs?: number } = {}): Promise<PostgresStore> {
    const store = await openPostgresStore({ url: TEST_POSTGRES_URL, schema, poolSize: 3, statementTimeoutMs: extra.statementTimeoutMs ?? 10_000, connectTimeoutMs: 5000 });
    open.push(store);
    return store;
  }

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    for (const schema of schemas.splice(0)) await dropSchema(TEST_POSTGRES_URL, schema);
  });

  const msg = (text: string, extra: Partial<NewMessage> = {}): NewMessage => ({ conv: '#general', senderId: 'u1', senderName: 'bob', target: '#general', text, createdAt: 1, ...extra });
  const versions = (schema: string) => withPostgresClient(TEST_POSTGRES_URL, async (c) => (await c.query<{ version: number }>(`SELECT version FROM ${schema}.schema_version ORDER BY version`)).rows.map((r) => r.version));

  it('keeps data across close and reopen, and continues the sequence and cmid dedupe', async () => {
    const schema = newSchema();
    const first = await openStore(schema);
    expect(first.kind).toBe('postgres');
    const alice = await first.createAccount({ name: 'Alice', nameKey: 'alice', passwordHash: 'h' });
    await first.createRoom({ key: '#general', name: '#general', topic: 't', createdBy: 'alice' });
    await first.addMember('#general', alice.id);
    const written = await first.appendMessages([msg('one', { cmid: 'c1', pendingFor: [alice.id] }), msg('two')]);
    await first.close();

    const second = await openStore(schema);
    expect(await second.findAccount('alice')).toEqual(alice);
    expect(await second.roomsOf(alice.id)).toEqual(['#general']);
    expect(await second.history('#general', { limit: 10 })).toEqual(written.map((r) => r.message));
    expect((await second.pendingFor(alice.id, 10)).map((m) => m.text)).toEqual(['one']);
    const more = await second.appendMessages([msg('one', { cmid: 'c1' }), msg('three')]);
    expect(more.map((r) => [r.message.seq, r.duplicate])).toEqual([
      [1, true],
      [3, false],
    ]);
    expect(await versions(schema)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // The store's epoch is made once, with the schema.
    expect(second.epoch).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.epoch).toBe(first.epoch);
  });

  it('migrates an empty schema once when several nodes open it at the same time', async () => {
    const schema = newSchema();
    const stores = await Promise.all([openStore(schema), openStore(schema), openStore(schema)]);
    expect(await versions(schema)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // One store, one epoch, whichever node made the schema; another schema is another store.
    expect(new Set(stores.map((s) => s.epoch)).size).toBe(1);
    expect((await openStore(newSchema())).epoch).not.toBe(stores[0]?.epoch);
    const [a, b] = stores;
    await a!.appendMessages([msg('from a')]);
    expect((await b!.appendMessages([msg('from b')]))[0]?.message.seq).toBe(2);
  });

  it('refuses a schema migrated by a newer Parley, touching nothing and leaving no lock', async () => {
    const schema = newSchema();
    const store = await openStore(schema);
    await store.appendMessages([msg('kept')]);
    await store.close();
    await withPostgresClient(TEST_POSTGRES_URL, (c) => c.query(`INSERT INTO ${schema}.schema_version (version, applied_at) VALUES (999, 0)`));

    const err: unknown = await openStore(schema).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('schema_too_new');
    expect((err as StoreError).message).toMatch(/version 999.*upgrade Parley/);

    await withPostgresClient(TEST_POSTGRES_URL, (c) => c.query(`DELETE FROM ${schema}.schema_version WHERE version = 999`));
    const reopened = await openStore(schema);
    expect((await reopened.history('#general', { limit: 10 })).map((m) => m.text)).toEqual(['kept']);
  });

  it('refuses a schema name that would need quoting', async () => {
    await expectStoreError(openPostgresStore({ url: TEST_POSTGRES_URL, schema: 'Bad"; drop', poolSize: 1, statementTimeoutMs: 1000, connectTimeoutMs: 1000 }), 'failed');
  });

  it('answers io quickly when nothing listens at the address', async () => {
    const started = Date.now();
    await expectStoreError(openPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/postgres', schema: 't_nowhere', poolSize: 1, statementTimeoutMs: 1000, connectTimeoutMs: 2000 }), 'io');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('turns a statement timeout (a conversation locked too long) into io, and then works again', async () => {
    const schema = newSchema();
    const store = await openStore(schema, { statementTimeoutMs: 300 });
    await store.appendMessages([msg('one')]);
    await withPostgresClient(TEST_POSTGRES_URL, async (c) => {
      await c.query('BEGIN');
      await c.query(`SELECT * FROM ${schema}.conversations WHERE id = '#general' FOR UPDATE`);
      const started = Date.now();
      await expectStoreError(store.appendMessages([msg('blocked')]), 'io');
      expect(Date.now() - started).toBeLessThan(5000);
      await c.query('ROLLBACK');
    });
    expect((await store.appendMessages([msg('two')]))[0]?.message.seq).toBe(2);
  });

  it('reports its size and rejects calls after close with unavailable', async () => {
    const store = await openStore(newSchema());
    expect(await store.sizeBytes()).toBeGreaterThan(0);
    await store.close();
    await expectStoreError(store.lastSeq('#general'), 'unavailable');
    await expectStoreError(store.nameClaims('n1', 1000).claim('alice', 'a1'), 'unavailable');
  });

  it('maps a message text PostgreSQL cannot hold to failed without consuming a seq', async () => {
    const store = await openStore(newSchema());
    await expectStoreError(store.appendMessages([msg('nul \u0000 byte')]), 'failed');
    expect((await store.appendMessages([msg('ok')]))[0]?.message.seq).toBe(1);
  });
});
