import { decodeGroupState, encodeGroupState, type ClientState, type GroupState } from 'ts-mls';
import { ByteReader, ByteWriter, bytesEqual } from '../bytes.ts';
import { E2eError } from '../errors.ts';

/** A commit this device made, kept aside until the server says whether it won its epoch. */
export interface PendingCommit {
  state: ClientState;
  commit: Uint8Array;
  /** Secrets of the current epoch to wipe once the pending state replaces it. */
  consumed: Uint8Array[];
}

export interface StoredGroup {
  state: GroupState;
  pending: { state: GroupState; commit: Uint8Array } | undefined;
}

/**
 * A saved group: the current state and, when a commit awaits the server, that commit and the
 * state it leads to, so a device that restarts in between can still adopt or drop it.
 *
 *     "PGS" u8(version=1) u8(1 if pending) bytes(GroupState) [bytes(pending GroupState) bytes(commit)]
 *
 * GroupState is ts-mls's own encoding (every secret of the epoch, the ratchet tree, one previous
 * epoch): the caller seals it (a non-extractable AES-GCM key in a browser, a 0600 file in Node).
 */
const MAGIC = new TextEncoder().encode('PGS');
const MAX_STATE_BYTES = 64 * 1024 * 1024;

export function encodeStoredGroup(state: GroupState, pending: PendingCommit | undefined): Uint8Array {
  const writer = new ByteWriter().raw(MAGIC).u8(1).u8(pending ? 1 : 0).bytes(encodeGroupState(state));
  if (pending) writer.bytes(encodeGroupState(pending.state)).bytes(pending.commit);
  return writer.finish();
}

function decodeState(bytes: Uint8Array): GroupState {
  // `bytes` is the reader's private copy: decodeGroupState keeps views into it (pitfall 4).
  let decoded: [GroupState, number] | undefined;
  try {
    decoded = decodeGroupState(bytes, 0);
  } catch (cause) {
    throw new E2eError('E2E_BAD_STATE', 'saved group state does not decode', { cause });
  }
  if (decoded === undefined || decoded[1] !== bytes.length) throw new E2eError('E2E_BAD_STATE', 'saved group state does not decode');
  return decoded[0];
}

export function decodeStoredGroup(bytes: Uint8Array): StoredGroup {
  const reader = new ByteReader(bytes, () => new E2eError('E2E_BAD_STATE', 'not a saved Parley group'));
  if (!bytesEqual(reader.raw(MAGIC.length), MAGIC) || reader.u8() !== 1) throw new E2eError('E2E_BAD_STATE', 'not a saved Parley group (version 1)');
  const hasPending = reader.u8();
  const state = decodeState(reader.bytes(MAX_STATE_BYTES));
  const pending = hasPending === 1 ? { state: decodeState(reader.bytes(MAX_STATE_BYTES)), commit: reader.bytes(MAX_STATE_BYTES) } : undefined;
  reader.end();
  return { state, pending };
}
