import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, openSqliteStore, type Store } from '@parley/server';
import { describeStoreConformance } from '../src/store-conformance.ts';
import { undoMigrationsAfter0004 } from './sqlite-old-schema.ts';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'parley-store-'));
}

describeStoreConformance('sqlite', async () => {
  const dir = tempDir();
  const store = await openSqliteStore({ file: path.join(dir, 'parley.db') });
  return { store, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
});

describe('SQLite store', () => {
  let dir: string;
  let file: string;
  const open: Store[] = [];

  async function openStore(): Promise<Store> {
    const store = await openSqliteStore({ file });
    open.push(store);
    return store;
  }

  /** Reads the file behind the store's back, the way an operator's sqlite3 shell would. */
  function inspect<T>(fn: (db: Database.Database) => T): T {
    const db = new Database(file);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  }

  beforeEach(() => {
    dir = tempDir();
    // A missing parent directory is created on open.
    file = path.join(dir, 'nested', 'data', 'parley.db');
  });

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uses WAL journaling', async () => {
    await openStore();
    expect(fs.existsSync(file)).toBe(true);
    expect(inspect((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('keeps data across close and reopen', async () => {
    const first = await openStore();
    const alice = await first.createAccount({ name: 'Alice', nameKey: 'alice', passwordHash: 'h' });
    await first.createRoom({ key: '#general', name: '#general', topic: 't', createdBy: 'alice' });
    await first.addMember('#general', alice.id);
    const written = await first.appendMessages([
      { conv: '#general', senderId: 'u1', senderName: 'bob', target: '#general', text: 'one', cmid: 'c1', createdAt: 1, pendingFor: [alice.id] },
      { conv: '#general', senderId: 'u1', senderName: 'bob', target: '#general', text: 'two', createdAt: 2 },
    ]);
    await first.close();

    const second = await openStore();
    expect(await second.findAccount('alice')).toEqual(alice);
    expect(await second.countAccounts()).toBe(1);
    expect((await second.listRooms()).map((r) => [r.key, r.topic])).toEqual([['#general', 't']]);
    expect(await second.roomsOf(alice.id)).toEqual(['#general']);
    expect(await second.history('#general', { limit: 10 })).toEqual(written.map((r) => r.message));
    expect((await second.pendingFor(alice.id, 10)).map((m) => m.text)).toEqual(['one']);
    expect(await second.lastSeq('#general')).toBe(2);
    // The epoch is the database's, made once: the same after a reopen, another for another file.
    expect(second.epoch).toBe(first.epoch);
    const other = await openSqliteStore({ file: ':memory:' });
    expect(other.epoch).not.toBe(first.epoch);
    await other.close();

    // Sequence numbers and cmid dedupe continue from the persisted state.
    const more = await second.appendMessages([
      { conv: '#general', senderId: 'u1', senderName: 'bob', target: '#general', text: 'one', cmid: 'c1', createdAt: 3 },
      { conv: '#general', senderId: 'u1', senderName: 'bob', target: '#general', text: 'three', createdAt: 4 },
    ]);
    expect(more.map((r) => [r.message.seq, r.duplicate])).toEqual([
      [1, true],
      [3, false],
    ]);
  });

  it('does not re-run migrations when reopening a current database', async () => {
    await (await openStore()).close();
    const readMigrations = () =>
      inspect((db) => db.prepare('SELECT name, timestamp FROM kysely_migration ORDER BY name').all());
    const applied = readMigrations();
    expect(applied.length).toBeGreaterThan(0);

    await new Promise((resolve) => setTimeout(resolve, 5)); // a re-run would get a new timestamp
    await (await openStore()).close();
    expect(readMigrations()).toEqual(applied);
  });

  it('lists the direct conversations stored before dm_participants existed', async () => {
    const store = await openStore();
    await store.appendMessages([
      { conv: 'dm:a1:a2', senderId: 'a1', senderName: 'alice', target: 'bob', text: 'old', createdAt: 1 },
      { conv: 'dm:a1:a1', senderId: 'a1', senderName: 'alice', target: 'alice', text: 'self', createdAt: 2 },
      { conv: '#general', senderId: 'a1', senderName: 'alice', target: '#general', text: 'room', createdAt: 3 },
    ]);
    await store.close();
    // Back to the schema of 0004: as a database the previous Parley left (0006 added devices).
    inspect((db) => {
      undoMigrationsAfter0004(db);
    });
    const reopened = await openStore();
    expect((await reopened.directConversations('a1', 10)).map((c) => [c.conv, c.peerId, c.peerName])).toEqual([
      ['dm:a1:a1', 'a1', 'alice'],
      ['dm:a1:a2', 'a2', 'bob'],
    ]);
    expect((await reopened.directConversations('a2', 10)).map((c) => c.conv)).toEqual(['dm:a1:a2']);
  });

  it('refuses a database migrated by a newer Parley', async () => {
    const store = await openStore();
    await store.appendMessages([
      { conv: '#general', senderId: 'u1', senderName: 'bob', target: '#general', text: 'kept', createdAt: 1 },
    ]);
    await store.close();
    inspect((db) =>
      db
        .prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)')
        .run('9999_from_the_future', new Date().toISOString()),
    );

    const err: unknown = await openSqliteStore({ file }).then(
      (s) => {
        open.push(s);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('schema_too_new');
    expect((err as StoreError).message).toContain('9999_from_the_future');
    expect((err as StoreError).message).toMatch(/upgrade Parley/i);

    // The refusal changed nothing and left no lock behind (another handle can write at once).
    inspect((db) => {
      expect(db.prepare('SELECT body FROM messages').pluck().all()).toEqual(['kept']);
      db.prepare('DELETE FROM kysely_migration WHERE name = ?').run('9999_from_the_future');
    });
    const reopened = await openStore();
    expect((await reopened.history('#general', { limit: 10 })).map((m) => m.text)).toEqual(['kept']);
  });

  it('works in memory', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    open.push(store);
    const [result] = await store.appendMessages([
      { conv: 'all', senderId: 'u1', senderName: 'bob', target: 'ALL', text: 'hi', createdAt: 1 },
    ]);
    expect(result?.message.seq).toBe(1);
    expect(await store.lastSeq('all')).toBe(1);
    // No file to stat: the size is the database's pages.
    expect(await store.sizeBytes()).toBeGreaterThanOrEqual(4096);
  });

  it('rejects calls after close with StoreError', async () => {
    const store = await openStore();
    await store.close();
    const err: unknown = await store.lastSeq('#general').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('unavailable');
  });

  it('reports a file that is not a database as a StoreError', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'this is not a database, just some text that is long enough to matter');
    const err: unknown = await openSqliteStore({ file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('failed');
    expect((err as StoreError).cause).toBeDefined();
  });
});
