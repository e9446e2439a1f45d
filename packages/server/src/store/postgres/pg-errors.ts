import { StoreError, type StoreErrorCode } from '../store.ts';

/** What a failure from pg (a DatabaseError with a SQLSTATE, or a socket error) says of itself. */
interface PgFailure {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

const asFailure = (err: unknown): PgFailure => (typeof err === 'object' && err !== null ? (err as PgFailure) : {});

/** The SQLSTATE (https://www.postgresql.org/docs/15/errcodes-appendix.html) or Node error code. */
export function pgErrorCode(err: unknown): string | undefined {
  const code = asFailure(err).code;
  return typeof code === 'string' ? code : undefined;
}

/** The violated constraint or index of a unique violation (23505), e.g. "messages_cmid". */
export function violatedConstraint(err: unknown): string | undefined {
  if (pgErrorCode(err) !== '23505') return undefined;
  const constraint = asFailure(err).constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/*
 * pg reports a dead or unreachable server partly without any code, only as text: these are
 * pg 8.23's messages for a pool that could not connect in connectionTimeoutMillis
 * ("timeout exceeded when trying to connect"), a client whose connect timed out, a socket
 * closed under a query ("Connection terminated unexpectedly") and a client used after that.
 */
const CONNECTION_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'is not queryable',
  'Query read timeout',
];

/**
 * SQLSTATEs and socket failures that are the database's (the server's resources), not the
 * request's: the client gets STORE_UNAVAILABLE or STORE_FULL and may retry.
 * - class 08 (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
 *   cannot_connect_now (starting up or shutting down), 53300 too_many_connections;
 * - 25006 read_only_sql_transaction (a standby, or default_transaction_read_only);
 * - 57014 query_canceled: statement_timeout (a lock held too long, an overloaded server);
 * - 58030 io_error, and 53100 disk_full, which is 'full'.
 */
export function resourceKind(err: unknown): 'full' | 'io' | undefined {
  // Node reports a host name with several addresses (localhost: ::1 and 127.0.0.1) that all
  // refuse as an AggregateError of the attempts.
  if (err instanceof AggregateError && err.errors.some((e) => resourceKind(e) === 'io')) return 'io';
  const code = pgErrorCode(err);
  if (code === '53100') return 'full';
  if (code !== undefined) {
    if (code.startsWith('08') || SOCKET_CODES.has(code)) return 'io';
    if (['57P01', '57P02', '57P03', '53300', '25006', '57014', '58030'].includes(code)) return 'io';
  }
  const message = asFailure(err).message;
  if (typeof message === 'string' && CONNECTION_MESSAGES.some((m) => message.includes(m))) return 'io';
  return undefined;
}

/**
 * Callers never see driver errors (the interface promises StoreError only). A unique
 * violation is 'conflict' only where the caller says the key is a user-chosen name; a down,
 * restarting, read-only or overloaded database is 'io', a full disk 'full'; everything else
 * 'failed'.
 */
export function toStoreError(err: unknown, action: string, conflictOnUnique = false): StoreError {
  if (err instanceof StoreError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  if (conflictOnUnique && pgErrorCode(err) === '23505') return new StoreError('conflict', `${action}: already exists`, { cause: err });
  const code: StoreErrorCode = resourceKind(err) ?? 'failed';
  return new StoreError(code, `${action} failed: ${detail}`, { cause: err });
}

/** Errors worth running a whole append again for: a lost cmid race, a deadlock, a serialization failure. */
export function isRetryable(err: unknown): boolean {
  const code = pgErrorCode(err);
  return violatedConstraint(err) === 'messages_cmid' || code === '40P01' || code === '40001';
}
