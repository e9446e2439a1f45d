import Database from 'better-sqlite3';
import { toParleyError } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../store.ts';
import { resourceReporter, toStoreError } from './sqlite-rows.ts';

const driverError = (code: string) => Object.assign(new Error(`${code} from the driver`), { code });

describe('toStoreError', () => {
  it("a real SQLITE_FULL (SQLite's page limit) becomes 'full', which the wire calls STORE_FULL", () => {
    // Runs without root, unlike the tmpfs test in testkit: the same result code, from a limit.
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x TEXT)');
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 1}`);
    let thrown: unknown;
    try {
      for (let i = 0; i < 100; i++) db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(4000));
    } catch (error) {
      thrown = error;
    } finally {
      db.close();
    }
    expect((thrown as { code?: string }).code).toBe('SQLITE_FULL');
    const error = toStoreError(thrown, 'creating account alice');
    expect(error).toMatchObject({ name: 'StoreError', code: 'full' });
    expect(toParleyError(error).toWire()).toMatchObject({ code: 5002, name: 'STORE_FULL', action: 'retry' });
  });

  it.each([
    ['SQLITE_FULL', 'full'],
    ['SQLITE_IOERR_SHMSIZE', 'full'],
    ['ENOSPC', 'full'],
    ['SQLITE_IOERR_WRITE', 'io'],
    ['SQLITE_IOERR_FSYNC', 'io'],
    ['SQLITE_READONLY', 'io'],
    ['SQLITE_READONLY_DBMOVED', 'io'],
    ['EROFS', 'io'],
    ['SQLITE_CORRUPT', 'failed'],
    ['SQLITE_ERROR', 'failed'],
  ])('%s is %s', (code, kind) => {
    expect(toStoreError(driverError(code), 'writing').code).toBe(kind);
  });

  it('maps resource errors to their wire codes and keeps the rest INTERNAL, without driver text', () => {
    expect(toParleyError(toStoreError(driverError('SQLITE_IOERR_WRITE'), 'x')).errorName).toBe('STORE_UNAVAILABLE');
    const internal = toParleyError(toStoreError(driverError('SQLITE_CORRUPT'), 'x'));
    expect(internal.errorName).toBe('INTERNAL');
    expect(toParleyError(toStoreError(driverError('SQLITE_FULL'), 'x')).message).not.toContain('SQLITE');
    expect(toStoreError(driverError('SQLITE_CONSTRAINT_UNIQUE'), 'x', true).code).toBe('conflict');
  });
});

describe('resourceReporter', () => {
  it('reports full and io errors, at most one per interval, and never others', () => {
    const seen: string[] = [];
    const report = resourceReporter((error) => seen.push(error.code), 60_000);
    const full = new StoreError('full', 'disk full');
    expect(report(full)).toBe(full);
    report(new StoreError('io', 'io'));
    report(new StoreError('failed', 'other'));
    expect(seen).toEqual(['full']);
    const often = resourceReporter((error) => seen.push(error.code), 0);
    often(new StoreError('failed', 'other'));
    often(new StoreError('io', 'io'));
    expect(seen).toEqual(['full', 'io']);
  });
});
