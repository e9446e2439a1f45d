import type { ChatMessage, PresenceStatus } from './events.ts';
import type { Verb } from './commands.ts';

/** The `data` of a successful reply, per verb. Server handlers and the SDK are typed by this map. */
export interface RoomSummary {
  name: string;
  topic: string;
  /** Members online now. */
  members: number;
}

export interface MemberInfo {
  name: string;
  status: PresenceStatus;
  kind: 'account' | 'guest';
}

export interface LoginData {
  name: string;
  kind: 'account' | 'guest';
  rooms: RoomSummary[];
}

export interface SentReceipt {
  /** The target as recipients see it: "#room", a user name, or "ALL". */
  to: string;
  conv: string;
  seq: number;
  /** True when this cmid was stored before; `seq` is the original one. */
  duplicate: boolean;
}

export interface ReplyData {
  hello: {
    server: string;
    version: string;
    protocol: number;
    motd: string;
    limits: { maxFrameBytes: number; maxTextBytes: number; maxRecipients: number; messagesPerMinute: number; messageBurst: number };
  };
  guest: LoginData;
  register: LoginData;
  login: LoginData;
  nick: { old: string; name: string };
  send: { sent: SentReceipt[] };
  /** `conv` is the room's conversation id (for cursors); `lastSeq` its newest message. */
  join: RoomSummary & { conv: string; lastSeq: number };
  part: { room: string };
  create: RoomSummary & { conv: string; lastSeq: number };
  delete: { room: string };
  rooms: { rooms: RoomSummary[] };
  who: { room: string; members: MemberInfo[] };
  list: { users: MemberInfo[]; counts: { online: number; guests: number; accounts: number; connections: number } };
  topic: { room: string; topic: string };
  history: { conv: string; messages: ChatMessage[] };
  resume: { replayed: number; more: string[]; refused: string[] };
  presence: { status: 'online' | 'away' };
  help: { commands: { cmd: Verb; summary: string; auth: 'any' | 'anonymous' | 'user' }[] };
  ping: { token: string };
  pong: Record<string, never>;
  quit: Record<string, never>;
}
