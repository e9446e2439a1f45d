import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { PgSchema } from './pg-rows.ts';

export interface PgConnectionOptions {
  url: string;
  schema: string;
  poolSize: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
}

/** A plain lower-case SQL identifier, so it needs no quoting in search_path or DDL. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function isValidSchemaName(schema: string): boolean {
  return SCHEMA_NAME.test(schema);
}

const INT8_OID = 20;

/**
 * pg returns BIGINT (and count(*)) as strings because they can exceed 2^53. Every BIGINT here
 * is a ms timestamp, a seq or an id, all far below it. Scoped to this pool through the
 * client's `types` option: pg.types.setTypeParser would change every pg user in the process.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Session settings sent with every connection. idle_in_transaction_session_timeout ends a
 * session that sits in an open transaction (a node stalled between a claim's statements) as
 * long as a statement may run, so its locks do not stall the other nodes for longer.
 */
function startupOptions(options: PgConnectionOptions): string {
  const timeout = Math.max(0, Math.floor(options.statementTimeoutMs));
  return `-c statement_timeout=${timeout} -c idle_in_transaction_session_timeout=${timeout} -c search_path=${options.schema}`;
}

/**
 * The pool behind a PostgresStore. statement_timeout and search_path are startup parameters
 * of every connection, so a connection made after PostgreSQL restarts has them too and no
 * query runs on a connection without them. Broken connections leave the pool by themselves
 * (pg-pool drops a client that is no longer queryable when it is released), so the pool
 * recovers after a restart without being reopened.
 *
 * Every connection gets an 'error' listener: pg emits 'error' on a client whose socket dies
 * while it is checked out (between a transaction's statements) as well as while idle, and an
 * unheard 'error' event kills the process.
 */
export function openPool(options: PgConnectionOptions, onError: (err: Error) => void): { pool: pg.Pool; db: Kysely<PgSchema> } {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    options: startupOptions(options),
    // TCP keepalive finds a peer that vanished without closing the socket (a cut network).
    keepAlive: true,
    types,
  });
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  const db = new Kysely<PgSchema>({ dialect: new PostgresDialect({ pool }) });
  return { pool, db };
}
