import { MLS_KINDS, REF_KINDS, type MessageKind } from '@parley/protocol';
import type { Generated, Selectable } from 'kysely';
import type { Account, AuditEntry, BanKind, BanRecord, RoomGrantKind, RoomRecord, StoredMessage, StoredServerRole } from '../store.ts';

/**
 * Kysely's view of the schema pg-migrations.ts creates, in the store's own PostgreSQL schema
 * (the pool's search_path). Times are ms since epoch in BIGINT, which the pool's type parser
 * turns into numbers (pg-pool.ts); only the name leases use the database clock (timestamptz).
 */
export interface PgSchema {
  schema_version: { version: number; applied_at: number };
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
    invite_only: Generated<boolean>;
    moderated: Generated<boolean>;
    topic_lock: Generated<boolean>;
    encrypted: Generated<boolean>;
    password_hash: Generated<string>;
  };
  room_members: { room_key: string; account_id: number; joined_at: number };
  /** Kept apart from messages so seqs are never reused after retention deletes the newest. */
  conversations: { id: string; last_seq: number };
  messages: MessageRow;
  read_positions: { user_id: string; conv: string; seq: number; updated_at: number };
  /** `id` is insertion order, which is seq order within every conversation (pendingFor's order). */
  pending: { id: Generated<number>; account_id: number; conv: string; seq: number };
  dm_participants: { user_id: string; conv: string; peer_id: string };
  account_keys: { key: string; account_id: number; label: string; created_at: number; last_used_at: number };
  // End-to-end encryption (version 4).
  e2e_identities: { user_id: string; identity_key: string; updated_at: number };
  e2e_devices: { user_id: string; device_id: string; certificate: string; device_key: string; created_at: number };
  /** `id` is insertion order, which claims take as "oldest". */
  e2e_key_packages: { id: Generated<number>; user_id: string; device_id: string; ref: string; data: string; not_after: number; last_resort: boolean; created_at: number };
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
  server_roles: { account_id: number; role: StoredServerRole; granted_by: string; granted_at: number };
  bans: {
    id: Generated<number>;
    scope: string;
    kind: BanKind;
    value: string;
    reason: string;
    created_by: string;
    created_at: number;
    expires_at: number | null;
  };
  /** `id` comes from audit_last_id under its row lock, so ids increase in commit order. */
  audit: { id: number; at: number; actor: string; action: string; target: string; detail: string };
  audit_last_id: { id: number; n: number };
  disabled_commands: { verb: string; disabled_by: string; disabled_at: number };
  room_grants: { room_key: string; user_id: string; kind: RoomGrantKind; granted_by: string; granted_at: number };
  moderation_version: { id: number; n: number };
  online_names: {
    name_key: string;
    node_id: string;
    user_id: string;
    expires_at: Date;
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
  /** What it answers or is about (version 6). */
  ref: number | null;
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
  if (row.ref !== null) message.ref = Number(row.ref);
  return message;
}

const KINDS: ReadonlySet<string | null> = new Set<MessageKind>(['action', ...MLS_KINDS, ...REF_KINDS]);

/** A kind this version knows; one written by a newer Parley reads as an ordinary message. */
function isMessageKind(kind: string | null): kind is MessageKind {
  return KINDS.has(kind);
}

export function toAccount(row: Selectable<PgSchema['accounts']>): Account {
  return { id: row.id, name: row.name, nameKey: row.name_key, passwordHash: row.password_hash, createdAt: row.created_at };
}

export function toRoomRecord(row: Selectable<PgSchema['rooms']>): RoomRecord {
  return {
    key: row.key,
    name: row.name,
    topic: row.topic,
    createdBy: row.created_by,
    createdAt: row.created_at,
    modes: { inviteOnly: row.invite_only, passwordHash: row.password_hash, moderated: row.moderated, topicLock: row.topic_lock, encrypted: row.encrypted },
  };
}

export function toBan(row: Selectable<PgSchema['bans']>): BanRecord {
  return {
    id: row.id,
    scope: row.scope,
    kind: row.kind,
    value: row.value,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function toAuditEntry(row: Selectable<PgSchema['audit']>): AuditEntry {
  return { id: row.id, at: row.at, actor: row.actor, action: row.action, target: row.target, detail: row.detail };
}
