import { MLS_KINDS, REF_KINDS, type MessageKind } from '@parley/protocol';
import type { Generated, Selectable } from 'kysely';
import type { DmParticipantRow } from '../dm-participants.ts';
import type { Account, BanKind, RoomGrantKind, RoomRecord, StoredMessage, StoredServerRole } from '../store.ts';
import { StoreError } from '../store.ts';

/** Kysely's view of the schema created by migrations.ts. Times are ms since epoch. */
export interface SqliteSchema {
  store_identity: { id: number; epoch: string };
  accounts: {
    id: Generated<number>;
    name: string;
    name_key: string;
    password_hash: string;
    created_at: number;
  };
  rooms: {
    key: string;
    name: string;
    topic: string;
    created_by: string;
    created_at: number;
    invite_only: Generated<number>;
    moderated: Generated<number>;
    topic_lock: Generated<number>;
    encrypted: Generated<number>;
    password_hash: Generated<string>;
  };
  room_members: {
    room_key: string;
    account_id: number;
    joined_at: number;
  };
  conversations: {
    id: string;
    last_seq: number;
  };
  messages: MessageRow;
  read_positions: { user_id: string; conv: string; seq: number; updated_at: number };
  /** The FTS5 index of migration 0014 (kept by sqlite-search-index.ts; only matched here). */
  message_search: { rowid: number; body: string };
  dm_participants: DmParticipantRow;
  pending: {
    account_id: number;
    conv: string;
    seq: number;
  };
  account_keys: { key: string; account_id: number; label: string; created_at: number; last_used_at: number };
  // End-to-end encryption (migration 0009). last_resort is 0 or 1.
  e2e_identities: { user_id: string; identity_key: string; updated_at: number };
  e2e_devices: { user_id: string; device_id: string; certificate: string; device_key: string; created_at: number };
  e2e_key_packages: { user_id: string; device_id: string; ref: string; data: string; not_after: number; last_resort: number; created_at: number };
  e2e_groups: { group_id: string; conv: string; epoch: number; tree: string; created_at: number };
  e2e_group_members: { group_id: string; user_id: string; device_id: string };
  e2e_welcomes: { user_id: string; device_id: string; group_id: string; conv: string; epoch: number; seq: number; welcome: string; tree: string; created_at: number };
  devices: {
    id: Generated<number>;
    account_id: number;
    label: string;
    token_hash: string;
    created_at: number;
    last_used_at: number;
    last_address: string;
  };
  // Moderation (migration 0002). The role and kind columns are TEXT; only the store writes them.
  server_roles: {
    account_id: number;
    role: StoredServerRole;
    granted_by: string;
    granted_at: number;
  };
  bans: {
    id: Generated<number>;
    /** "server" or a room key. */
    scope: string;
    kind: BanKind;
    value: string;
    reason: string;
    created_by: string;
    created_at: number;
    expires_at: number | null;
  };
  audit: {
    id: Generated<number>;
    at: number;
    actor: string;
    action: string;
    target: string;
    detail: string;
  };
  disabled_commands: {
    verb: string;
    disabled_by: string;
    disabled_at: number;
  };
  room_grants: {
    room_key: string;
    user_id: string;
    kind: RoomGrantKind;
    granted_by: string;
    granted_at: number;
  };
  /** One row, id 1: n rises with every write of roles, bans or disabled commands. */
  moderation_version: {
    id: number;
    n: number;
  };
}

export interface MessageRow {
  conv: string;
  seq: number;
  sender_id: string;
  sender_name: string;
  target: string;
  body: string;
  cmid: string | null;
  /** Null for an ordinary message (see MessageKind). */
  kind: string | null;
  /** What it answers or is about (migration 0013); selects that list columns may leave it out. */
  ref?: number | null;
  created_at: number;
}

export function toStoredMessage(row: MessageRow): StoredMessage {
  const message: StoredMessage = {
    conv: row.conv,
    seq: row.seq,
    senderId: row.sender_id,
    senderName: row.sender_name,
    target: row.target,
    text: row.body,
    createdAt: row.created_at,
  };
  // The interface models "no cmid" as an absent property, not null.
  if (row.cmid !== null) message.cmid = row.cmid;
  if (isMessageKind(row.kind)) message.kind = row.kind;
  if (row.ref !== undefined && row.ref !== null) message.ref = row.ref;
  return message;
}

const KINDS: ReadonlySet<string | null> = new Set<MessageKind>(['action', ...MLS_KINDS, ...REF_KINDS]);

/** A kind this version knows; one written by a newer Parley reads as an ordinary message. */
function isMessageKind(kind: string | null): kind is MessageKind {
  return KINDS.has(kind);
}

export function toAccount(row: Selectable<SqliteSchema['accounts']>): Account {
  return {
    id: row.id,
    name: row.name,
    nameKey: row.name_key,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}

export function toRoomRecord(row: Selectable<SqliteSchema['rooms']>): RoomRecord {
  return {
    key: row.key,
    name: row.name,
    topic: row.topic,
    createdBy: row.created_by,
    createdAt: row.created_at,
    modes: {
      inviteOnly: row.invite_only === 1,
      passwordHash: row.password_hash,
      moderated: row.moderated === 1,
      topicLock: row.topic_lock === 1,
      encrypted: row.encrypted === 1,
    },
  };
}

function sqliteCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * SQLite result codes (https://sqlite.org/rescode.html) that mean the server's storage, not
 * the request, is the problem. SQLITE_FULL is what a full disk gives (measured on a full
 * tmpfs: every write, WAL or not); SQLITE_IOERR_SHMSIZE is the WAL index failing to grow for
 * the same reason. The I/O and read-only codes are a failing disk or one remounted read-only.
 * Node's ENOSPC/EROFS cover files the store writes itself.
 */
function resourceKind(code: string | undefined): 'full' | 'io' | undefined {
  if (code === undefined) return undefined;
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_SHMSIZE' || code === 'ENOSPC' || code === 'EDQUOT') return 'full';
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EIO') return 'io';
  return undefined;
}

/**
 * Callers must never see driver errors (the interface promises StoreError only), and only
 * callers that know the violated key is a user-chosen name want 'conflict'; a full or failing
 * disk is 'full' or 'io' (the client gets STORE_FULL or STORE_UNAVAILABLE and may retry);
 * everything else is a server-side failure.
 */
export function toStoreError(err: unknown, action: string, conflictOnUnique = false): StoreError {
  if (err instanceof StoreError) return err;
  const code = sqliteCode(err);
  if (
    conflictOnUnique &&
    (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  ) {
    return new StoreError('conflict', `${action}: already exists`, { cause: err });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new StoreError(resourceKind(code) ?? 'failed', `${action} failed: ${detail}`, { cause: err });
}

export { resourceReporter } from '../resource-reporter.ts';
