import type { ErrorName, WireError } from './errors.ts';
import type { RequestId } from './commands.ts';
import type { E2eWelcome, RoomModes } from './replies.ts';

/** A stored chat message as clients see it. `to` is "#room", the recipient's name, or "ALL". */
export interface ChatMessage {
  conv: string;
  seq: number;
  from: string;
  to: string;
  text: string;
  ts: number;
  cmid?: string;
  /** An action ("/me waves"): shown as "* alice waves". Absent for an ordinary message. */
  kind?: MessageKind;
  /** A reply: the seq of the message it answers, in the same conversation. */
  reply?: number;
  /** `edit`, `redact`, `react` and `unreact` (and an `mls` message that refers to one): the seq of the message it is about. */
  ref?: number;
  /** In history and replays: the message was edited, last at this time (ms); `text` is its current version. */
  edited?: number;
  /** In history and replays: the message was redacted (deleted); `text` is empty. */
  redacted?: true;
  /** In history and replays: its reactions, most used first. */
  reactions?: Reaction[];
}

/** One emoji's reactions to a message: how many, and by whom (names, at most REACTION_NAMES_MAX of them). */
export interface Reaction {
  emoji: string;
  count: number;
  users: string[];
}

/**
 * What a message is besides its text; every client shows `action` as "* name text". For `mls` (an
 * encrypted message) and `mls_commit` (a change of the conversation's encrypted group), `text` is
 * the MLS message in base64url: the server cannot read it (docs/e2e.md). `edit` (text: the new
 * version), `redact` (text: empty, or the moderator's reason), `react` and `unreact` (text: the
 * emoji) are events about the message `ref` names: clients apply them to it rather than show
 * them as messages of their own.
 */
export type MessageKind = 'action' | 'mls' | 'mls_commit' | 'edit' | 'redact' | 'react' | 'unreact';

/** The kinds that are about another message (`ref`), not messages of their own. */
export const REF_KINDS: ReadonlySet<MessageKind> = new Set(['edit', 'redact', 'react', 'unreact']);

export const MLS_KINDS: ReadonlySet<MessageKind> = new Set(['mls', 'mls_commit']);

export type PresenceStatus = 'online' | 'away' | 'offline';

/** What a moderator did to someone, on the `part` and `notice` events it causes. */
export type ModerationKind = 'kick' | 'ban' | 'mute' | 'unmute' | 'invite' | 'mode';

/** Server-to-client events of protocol v1, discriminated by `ev`. */
export type ServerEvent =
  | ({ ev: 'message' } & ChatMessage)
  | { ev: 'join'; room: string; user: string }
  /** `kind`/`by` when a moderator removed the user (`reason` is then theirs, if they gave one). */
  | { ev: 'part'; room: string; user: string; reason?: string; by?: string; kind?: 'kick' | 'ban' }
  | { ev: 'topic'; room: string; topic: string; by: string }
  | { ev: 'room_deleted'; room: string; by: string }
  | { ev: 'room_role'; room: string; user: string; role: 'owner' | 'moderator' | 'member'; by: string }
  | { ev: 'presence'; user: string; status: PresenceStatus }
  | { ev: 'nick'; old: string; new: string }
  /** `text` is always a whole sentence; a notice about a room (a mute, an invite) names it and who acted. */
  /** `modes`: with kind `mode`, the room's modes after the change. */
  | { ev: 'notice'; text: string; room?: string; kind?: ModerationKind; by?: string; reason?: string; modes?: RoomModes }
  | { ev: 'ping'; token: string }
  /** For this connection's end-to-end device: join a group (replies.ts E2eWelcome). */
  | ({ ev: 'welcome' } & E2eWelcome)
  /** A user you share an encrypted conversation with registered or removed a device, or reset its identity. */
  | { ev: 'e2e_devices'; user: string; user_id: string; identity_changed?: true }
  /** Someone is typing in a conversation (`on`), or stopped; never stored, and a client forgets it after TYPING_EXPIRES_MS. */
  | { ev: 'typing'; conv: string; user: string; on: boolean }
  /** This user read a conversation up to `seq` (on this or another of its connections): badges and dividers follow it. */
  | { ev: 'read'; conv: string; seq: number }
  /** Someone who shares read receipts (an opt-in setting) read the conversation up to `seq`. */
  | { ev: 'receipt'; conv: string; user: string; seq: number }
  | { ev: 'error'; error: WireError };

export type EventName = ServerEvent['ev'];

export interface OkReply<TData = unknown> {
  re: RequestId | null;
  ok: true;
  data: TData;
}

export interface ErrorReply {
  re: RequestId | null;
  ok: false;
  error: WireError;
}

export type Reply = OkReply | ErrorReply;
export type ServerFrame = Reply | ServerEvent;

export function isErrorName(reply: Reply, name: ErrorName): boolean {
  return !reply.ok && reply.error.name === name;
}

/**
 * Why someone left a room, as every client and text mode words it: "kicked by alice: spam",
 * "banned by alice", or the reason given with the part; undefined for a plain part.
 */
export function partReason(part: { reason?: string | undefined; by?: string | undefined; kind?: 'kick' | 'ban' | undefined }): string | undefined {
  if (!part.kind) return part.reason || undefined;
  return `${part.kind === 'kick' ? 'kicked' : 'banned'} by ${part.by ?? 'a moderator'}${part.reason ? `: ${part.reason}` : ''}`;
}
