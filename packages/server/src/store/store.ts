import { ParleyError, WIRE_ERROR, type HasWireError } from '@parley/protocol';
import type { DirectoryStore } from './directory-store.ts';
import type { MessageLog } from './message-log.ts';
import type { MessageState } from './message-state.ts';
import type { ModerationStore } from './moderation-store.ts';
import type { E2eStore } from './e2e-store.ts';
import type { FederationStore } from './federation-store.ts';
import type { NameClaims } from '../cluster/name-claims.ts';

export * from './message-log.ts';
export * from './message-state.ts';
export * from './directory-store.ts';
export * from './moderation-store.ts';
export * from './e2e-store.ts';
export * from './federation-store.ts';

/**
 * The persistence boundary, in the parts a reader can hold in mind: the message log, the
 * directory and moderation, each stating its concurrency contract, plus what the store says of
 * itself. Every implementation (SQLite for one process, PostgreSQL for a cluster) must pass the
 * shared conformance suite in @parley/testkit. Methods are async so network-backed stores fit;
 * all of them reject with StoreError (never a raw driver error) on failure. A store is opened by
 * whoever starts the server and injected (`ParleyServer.start(config, { store })`).
 */
export interface Store extends MessageLog, MessageState, DirectoryStore, ModerationStore, StoreInfo {
  /** What the server keeps as end-to-end encryption's Delivery Service (see E2eStore). */
  readonly e2e: E2eStore;
  /** What a federating server keeps of the network; absent where it is not built (PostgreSQL, for now). */
  readonly federation?: FederationStore;
}

export interface StoreInfo {
  /** Which engine this is, for logs and `parley serve`'s banner. */
  readonly kind: 'sqlite' | 'postgres';
  /**
   * This store's history, made with the database and never changed: the nodes sharing a store
   * share its epoch, and what a node publishes on the bus carries it (cluster/bus.ts).
   */
  readonly epoch: string;
  /** Bytes the store occupies (file size for SQLite, the schema's relations for PostgreSQL). */
  sizeBytes(): Promise<number>;
  /**
   * Online-name leases for the nodes sharing this store (cluster/name-claims.ts); absent where
   * one process owns the store (SQLite), which checks names in memory.
   */
  nameClaims?(nodeId: string, leaseMs: number): NameClaims;
  /** Releases the engine; every later call rejects with StoreError 'unavailable'. */
  close(): Promise<void>;
}

/**
 * `full`: the disk (or SQLite's size limit) is full; `io`: the storage failed, became read-only
 * or cannot be reached (a PostgreSQL server down or restarting).
 * Both are the server's resources, not the request: the client may retry once they are back.
 */
export type StoreErrorCode = 'conflict' | 'schema_too_new' | 'unavailable' | 'full' | 'io' | 'failed';

export class StoreError extends Error implements HasWireError {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Where store errors meet the wire (run-command.ts's boundary): resource failures get codes of their own. */
  [WIRE_ERROR](): ParleyError | undefined {
    if (this.code === 'full') return new ParleyError('STORE_FULL', "The server's disk is full: nothing was stored; retry later", { cause: this });
    if (this.code === 'io') return new ParleyError('STORE_UNAVAILABLE', 'The server could not write its data: nothing was stored; retry later', { cause: this });
    return undefined;
  }
}
