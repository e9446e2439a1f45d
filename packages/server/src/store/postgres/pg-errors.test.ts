import { describe, expect, it } from 'vitest';
import { StoreError } from '../store.ts';
import { isRetryable, toStoreError } from './pg-errors.ts';

/** Shaped like pg's DatabaseError (SQLSTATE in `code`) and Node's socket errors. */
const pgError = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`error ${code}`), { code, ...extra });

describe('toStoreError for PostgreSQL', () => {
  it.each([
    ['08006', 'io'], // connection_failure
    ['08001', 'io'], // sqlclient_unable_to_establish_sqlconnection
    ['57P01', 'io'], // admin_shutdown: a restart or a terminated session
    ['57P02', 'io'], // crash_shutdown
    ['57P03', 'io'], // cannot_connect_now: starting up
    ['25006', 'io'], // read_only_sql_transaction
    ['57014', 'io'], // query_canceled: statement_timeout
    ['53300', 'io'], // too_many_connections
    ['53100', 'full'], // disk_full
    ['ECONNREFUSED', 'io'],
    ['ECONNRESET', 'io'],
    ['23502', 'failed'], // not_null_violation
    ['23503', 'failed'], // foreign_key_violation
    ['42P01', 'failed'], // undefined_table
  ])('maps %s to %s', (code, expected) => {
    const mapped = toStoreError(pgError(code), 'doing it');
    expect(mapped).toBeInstanceOf(StoreError);
    expect(mapped.code).toBe(expected);
    expect(mapped.cause).toBeInstanceOf(Error);
  });

  it('recognizes pg failures that come without a code', () => {
    for (const message of ['timeout exceeded when trying to connect', 'Connection terminated unexpectedly', 'Connection terminated due to connection timeout', 'Client has encountered a connection error and is not queryable']) {
      expect(toStoreError(new Error(message), 'x').code).toBe('io');
    }
    expect(toStoreError(new AggregateError([pgError('ECONNREFUSED'), pgError('ECONNREFUSED')]), 'x').code).toBe('io');
    expect(toStoreError('a string', 'x').code).toBe('failed');
  });

  it("gives 'conflict' for a unique violation only where the caller asks", () => {
    expect(toStoreError(pgError('23505'), 'creating', true).code).toBe('conflict');
    expect(toStoreError(pgError('23505'), 'creating').code).toBe('failed');
    expect(toStoreError(pgError('23503'), 'creating', true).code).toBe('failed');
  });

  it('passes StoreErrors through unchanged', () => {
    const original = new StoreError('schema_too_new', 'newer');
    expect(toStoreError(original, 'x')).toBe(original);
  });

  it('retries a lost cmid race, deadlocks and serialization failures, nothing else', () => {
    expect(isRetryable(pgError('23505', { constraint: 'messages_cmid' }))).toBe(true);
    expect(isRetryable(pgError('40P01'))).toBe(true);
    expect(isRetryable(pgError('40001'))).toBe(true);
    expect(isRetryable(pgError('23505', { constraint: 'messages_pkey' }))).toBe(false);
    expect(isRetryable(pgError('57P01'))).toBe(false);
  });
});
