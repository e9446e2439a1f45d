import type { ErrorName, WireError } from './errors.ts';
import type { RequestId } from './commands.ts';

/** A stored chat message as clients see it. `to` is "#room", the recipient's name, or "ALL". */
export interface ChatMessage {
  conv: string;
  seq: number;
  from: string;
  to: string;
  text: string;
  ts: number;
  cmid?: string;
}

export type PresenceStatus = 'online' | 'away' | 'offline';

/** Server-to-client events of protocol v1, discriminated by `ev`. */
export type ServerEvent =
  | ({ ev: 'message' } & ChatMessage)
  | { ev: 'join'; room: string; user: string }
  | { ev: 'part'; room: string; user: string; reason?: string }
  | { ev: 'topic'; room: string; topic: string; by: string }
  | { ev: 'room_deleted'; room: string; by: string }
  | { ev: 'room_role'; room: string; user: string; role: 'owner' | 'moderator' | 'member'; by: string }
  | { ev: 'presence'; user: string; status: PresenceStatus }
  | { ev: 'nick'; old: string; new: string }
  | { ev: 'notice'; text: string }
  | { ev: 'ping'; token: string }
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
