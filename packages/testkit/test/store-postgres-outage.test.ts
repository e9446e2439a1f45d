import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgresStore, StoreError, type NewMessage, type PostgresStore } from '@parley/server';
import { startPrivatePostgres, withPostgresClient, type PrivatePostgres } from '../src/postgres-scratch.ts';
import { expectStoreError } from '../src/store-conformance-helpers.ts';
import { waitFor } from '../src/wait.ts';

/**
 * PostgreSQL going away under a running store, on a private server of this test's own (the
 * machine's server is shared): stopped, restarted, read-only. Each failure must be 'io' (the
 * client gets STORE_UNAVAILABLE and retries), leave nothing half-written, and the same store
 * object must work again once the server is back.
 */
describe('PostgreSQL store when the database goes away', () => {
  let server: PrivatePostgres;
  let store: PostgresStore;
  let schema: string;
  const reported: StoreError[] = [];
  const CONNECT_TIMEOUT_MS = 2000;
  let n = 0;

  beforeAll(async () => {
    server = await startPrivatePostgres();
  }, 120_000);

  afterAll(async () => {
    await server?.destroy();
  });

  beforeEach(async () => {
    schema = `t_outage_${++n}`;
    reported.length = 0;
    store = await openPostgresStore({
      url: server.url,
      schema,
      poolSize: 3,
      statementTimeoutMs: 10_000,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      onResourceError: (e) => reported.push(e),
    });
  });

  afterEach(async () => {
    await store.close();
    // A test that failed midway may have left the server stopped.
    await withPostgresClient(server.url, () => Promise.resolve()).catch(() => server.start());
  });

  const msg = (text: string, extra: Partial<NewMessage> = {}): NewMessage => ({ conv: '#general', senderId: 'u1', senderName: 'bob', target: '#general', text, createdAt: 1, ...extra });
  const texts = async () => (await store.history('#general', { limit: 100 })).map((m) => m.text);

  it('answers io within the connect timeout while stopped, and works again after a restart without reopening', async () => {
    await store.appendMessages([msg('before')]);
    await server.stop();

    const started = Date.now();
    await expectStoreError(store.appendMessages([msg('while down 1'), msg('while down 2')]), 'io');
    await expectStoreError(store.history('#general', { limit: 10 }), 'io');
    expect(Date.now() - started).toBeLessThan(2 * CONNECT_TIMEOUT_MS + 3000);
    expect(reported.some((e) => e.code === 'io')).toBe(true);

    await server.start();
    const [next] = await store.appendMessages([msg('after')]);
    expect(next?.message.seq).toBe(2);
    expect(await texts()).toEqual(['before', 'after']);
  });

  it('fails an append whose session ends mid-statement, as in a shutdown, as io, with nothing of it stored', async () => {
    await store.appendMessages([msg('before', { cmid: 'c0' })]);
    // Another session holds the conversation's row lock, so the append waits inside its statement.
    const blocked = await withPostgresClient(server.url, async (c) => {
      await c.query('BEGIN');
      await c.query(`SELECT * FROM ${schema}.conversations WHERE id = '#general' FOR UPDATE`);
      const pending = store.appendMessages([msg('in flight 1', { cmid: 'c1' }), msg('in flight 2', { pendingFor: [1] })]).then(
        () => undefined,
        (e: unknown) => e,
      );
      await waitFor(
        async () => (await c.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = 'postgres'`)).rowCount,
        'the append to wait for the row lock',
      );
      // A fast shutdown signals every backend at once, so the lock holder's rollback can let the
      // append commit before its own backend sees the signal. End the waiting backend first, as
      // the shutdown would, then stop the server.
      await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = 'postgres'`);
      const failed = await pending;
      await server.stop();
      return failed;
    });
    expect(blocked).toBeInstanceOf(StoreError);
    expect((blocked as StoreError).code).toBe('io');

    await server.start();
    expect(await texts()).toEqual(['before']);
    expect(await store.lastSeq('#general')).toBe(1);
    const retried = await store.appendMessages([msg('in flight 1', { cmid: 'c1' })]);
    expect(retried.map((r) => [r.message.seq, r.duplicate])).toEqual([[2, false]]);
  });

  it('rejects writes with io while the database is read-only, and keeps reading', async () => {
    await store.appendMessages([msg('before')]);
    await withPostgresClient(server.url, async (c) => {
      await c.query('ALTER DATABASE postgres SET default_transaction_read_only = on');
      // The setting reaches new sessions only: end the store's, as a failover to a standby would.
      await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'postgres' AND pid <> pg_backend_pid() AND backend_type = 'client backend'`);
    });
    try {
      // The store's pool may still hand out a connection whose termination it has not read
      // yet ('io' as well); the read-only refusal (SQLSTATE 25006) must come once it has.
      const err = await waitFor(
        async () => {
          const e: unknown = await store.appendMessages([msg('refused')]).then(() => new Error('the write was accepted'), (x: unknown) => x);
          if (!(e instanceof StoreError)) throw e;
          expect(e.code).toBe('io');
          return (e.cause as { code?: string } | undefined)?.code === '25006' ? e : undefined;
        },
        'a read-only refusal',
      );
      expect(err.message).toMatch(/read-only/);
      expect(await texts()).toEqual(['before']);
    } finally {
      await withPostgresClient(server.url, async (c) => {
        await c.query('SET default_transaction_read_only = off');
        await c.query('ALTER DATABASE postgres RESET default_transaction_read_only');
        await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'postgres' AND pid <> pg_backend_pid() AND backend_type = 'client backend'`);
      });
    }
    const written = await waitFor(() => store.appendMessages([msg('after')]).catch(() => undefined), 'writes to work again');
    expect(written[0]?.message.seq).toBe(2);
  });

  it('refuses to open with io while the server is down', async () => {
    await server.stop();
    const started = Date.now();
    await expectStoreError(
      openPostgresStore({ url: server.url, schema: 't_other', poolSize: 1, statementTimeoutMs: 1000, connectTimeoutMs: CONNECT_TIMEOUT_MS }),
      'io',
    );
    expect(Date.now() - started).toBeLessThan(CONNECT_TIMEOUT_MS + 3000);
    await server.start();
  });
});
