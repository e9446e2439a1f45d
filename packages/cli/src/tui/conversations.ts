import { nameKey, splitServer, type ChatMessage, type PresenceStatus, type Reaction } from '@parley/protocol';

/**
 * The terminal UI's model: one conversation per room, per direct-message partner, for ALL and
 * (only when needed) for server status. This file holds its shape, its keys and the small pure
 * steps (add a conversation, change one, append a line, select one) that the reducers in
 * chat-reducer.ts and member-events.ts are built from.
 */
export type ConversationKind = 'room' | 'dm' | 'all' | 'status';

export interface Line {
  kind: 'message' | 'event' | 'error';
  ts: number;
  text: string;
  from?: string;
  /** The stored message's sequence number; absent on local lines and on own sends not yet acknowledged. */
  seq?: number;
  /** Own send waiting for the server's receipt (a local id). */
  pending?: number;
  /**
   * Own send the server has, waiting for the room's home (another server, named here) to take
   * it: the receipt said `pending`. It gets its seq when the SDK says `committed`, by `cmid`.
   */
  waiting?: string;
  /** Own send's client message id, while `waiting`. */
  cmid?: string;
  /** Own send the server refused. */
  failed?: boolean;
  /** The text names me (or it is a direct message). */
  mention?: boolean;
  /** An action (`/me waves`), shown as "* alice waves". */
  action?: true;
  /** A direct message that was not end-to-end encrypted: marked "[unencrypted]". */
  plaintext?: true;
  /** A line that stands out (an identity change): shown in bold red. */
  alarm?: true;
  /** A line that is replaced, not repeated, when another with the same tag comes (a running count). */
  tag?: string;
  /** The stored message's conversation id (`#dev`, `dm:a1:a2`): changes name it with their `ref`. */
  conv?: string;
  /** A reply: the seq of the message it answers (quoted above it when that one is loaded). */
  reply?: number;
  /** Edited, last at this time: shown "(edited)". */
  edited?: number;
  /** Deleted: shown "(message deleted)". */
  redacted?: true;
  /** Shown under the message, most used first. */
  reactions?: Reaction[];
}

/** What the header of a DM says about its encryption (e2e-state.ts keeps it current). */
export interface DmSecurity {
  /** Whether a DM to them is end-to-end encrypted now (they have device keys). */
  encryption: 'encrypted' | 'unencrypted';
  verification: 'unverified' | 'verified' | 'changed';
}

/** This session's end-to-end encryption: off (--no-e2e), being set up, ready, or failed (and why). */
export interface E2eStatus {
  state: 'off' | 'setup' | 'ready' | 'failed';
  /** People whose identity key changed and who were not accepted yet: the status bar warns. */
  changed: string[];
}

export interface Member {
  name: string;
  status: PresenceStatus;
  kind: 'account' | 'guest';
  /** The room's owners and moderators (from `who`). */
  role?: 'owner' | 'moderator';
  /** Muted here; `who` says so only to the room's moderators. */
  muted?: true;
}

export interface Conversation {
  key: string;
  kind: ConversationKind;
  /** What the user types to reach it: "#dev", "bob", "ALL". */
  label: string;
  topic: string;
  lines: Line[];
  unread: number;
  mentioned: boolean;
  members: Member[];
  /** Rows scrolled up from the newest line (0 = following new messages). */
  scroll: number;
  /** Messages that arrived while scrolled up. */
  newBelow: number;
  historyComplete: boolean;
  loadingHistory: boolean;
  /** History was asked for at least once (so opening it again does not ask). */
  historyRequested: boolean;
  /** The room was deleted: kept for reading, not for sending. */
  gone: boolean;
  /** A DM's encryption, once asked (undefined until then, and for rooms). */
  security?: DmSecurity;
  /**
   * A room is end-to-end encrypted (its mode, as the server said: the join or login summary, a
   * mode change, a plaintext send it refused, or the SDK's `e2e_room`). Undefined: not, as far as
   * this client heard.
   */
  encrypted?: boolean;
  /** The server's conversation id (`#dev`, `dm:a1:a2`), once a message or `unread` said it. */
  convId?: string;
  /** The read position (seq) as the server keeps it for me, from `unread`, my marks and `read` events. */
  readAt?: number;
  /** Where the "new" divider stands while on screen: the read position when the conversation was opened. */
  divider?: number;
}

export interface ChatState {
  me: string;
  order: string[];
  convs: Record<string, Conversation>;
  active: string | undefined;
  /** Set by `/away [message]`, cleared by `/back`; the message is mine alone (the server keeps only the status). */
  away: { message?: string } | undefined;
  e2e: E2eStatus;
  /** Who is typing where: conversation key → person → when it expires (ms). */
  typing: Record<string, Record<string, number>>;
}

/** At most this many lines are kept per conversation; older ones can be loaded again. */
export const MAX_LINES = 2000;
export const STATUS_KEY = '*status';

export function conversationKey(target: string): string {
  if (target === 'ALL') return '*all';
  if (target.startsWith('#')) return nameKey(target);
  return `@${nameKey(target)}`;
}

export const targetKind = (target: string): ConversationKind => (target === 'ALL' ? 'all' : target.startsWith('#') ? 'room' : 'dm');
/** Names compare case-insensitively, the way the server keys them. */
export const sameName = (a: string, b: string) => nameKey(a) === nameKey(b);

/** Where a message belongs: its room, ALL, or the other party of a direct message. */
export function messageTarget(message: ChatMessage, me: string): string {
  if (message.to === 'ALL' || message.to.startsWith('#')) return message.to;
  return sameName(message.from, me) ? message.to : message.from;
}

export function initialChatState(me: string, e2e: E2eStatus['state'] = 'off'): ChatState {
  return { me, order: [], convs: {}, active: undefined, away: undefined, e2e: { state: e2e, changed: [] }, typing: {} };
}

/** The oldest stored seq shown, for `history { before }`; undefined when nothing is loaded. */
export function oldestSeq(conv: Pick<Conversation, 'lines'>): number | undefined {
  let oldest: number | undefined;
  for (const line of conv.lines) if (line.seq !== undefined && (oldest === undefined || line.seq < oldest)) oldest = line.seq;
  return oldest;
}

/**
 * What the top of a conversation read to its start says. A room homed on another server has its
 * messages here from when this server joined it (docs/federation.md, "Not built yet"): older ones are on its home.
 */
export function startText(conv: Pick<Conversation, 'kind' | 'label' | 'lines'>): string {
  if (conv.kind === 'dm') return `start of your conversation with ${conv.label}`;
  const home = conv.kind === 'room' ? splitServer(conv.label).server : undefined;
  if (home !== undefined && oldestSeq(conv) !== 1) return `start of ${conv.label} here; older messages are on ${home}`;
  return `start of ${conv.label}`;
}

function newConversation(key: string, kind: ConversationKind, label: string): Conversation {
  return { key, kind, label, topic: '', lines: [], unread: 0, mentioned: false, members: [], scroll: 0, newBelow: 0, historyComplete: kind === 'status', loadingHistory: false, historyRequested: false, gone: false };
}

/** Adds the conversation if missing: rooms after the other rooms, everything else at the end. */
export function ensureConversation(state: ChatState, target: string, kind: ConversationKind = targetKind(target)): ChatState {
  const key = kind === 'status' ? STATUS_KEY : conversationKey(target);
  if (state.convs[key]) return state;
  const conv = newConversation(key, kind, kind === 'status' ? 'server' : target);
  let at = state.order.length;
  if (kind === 'room') {
    const lastRoom = state.order.findLastIndex((k) => state.convs[k]!.kind === 'room' || state.convs[k]!.kind === 'status');
    at = lastRoom + 1;
  }
  if (kind === 'status') at = 0;
  const order = [...state.order.slice(0, at), key, ...state.order.slice(at)];
  return { ...state, order, convs: { ...state.convs, [key]: conv }, active: state.active ?? key };
}

/** Applies `change` to one conversation; a key that is not open leaves the state as it is. */
export function updateConversation(state: ChatState, key: string, change: (conv: Conversation) => Partial<Conversation>): ChatState {
  const conv = state.convs[key];
  if (!conv) return state;
  return { ...state, convs: { ...state.convs, [key]: { ...conv, ...change(conv) } } };
}

/** Drops the oldest lines beyond MAX_LINES; `trimmed` says history has to be asked for again. */
export function capLines(lines: Line[]): { lines: Line[]; trimmed: boolean } {
  return lines.length > MAX_LINES ? { lines: lines.slice(lines.length - MAX_LINES), trimmed: true } : { lines, trimmed: false };
}

/** Appends a line that is not news to count: an event, an error, the user's own message. */
export function appendLine(state: ChatState, key: string, line: Line): ChatState {
  return addLine(state, key, { line, unread: false });
}

/** Appends someone else's message; counts it as unread when the conversation is not on screen or scrolled up. */
export function appendUnreadLine(state: ChatState, key: string, line: Line): ChatState {
  return addLine(state, key, { line, unread: true });
}

function addLine(state: ChatState, key: string, { line, unread }: { line: Line; unread: boolean }): ChatState {
  const visible = state.active === key;
  return updateConversation(state, key, (conv) => {
    const { lines, trimmed } = capLines([...conv.lines, line]);
    return {
      lines,
      ...(trimmed ? { historyComplete: false } : {}),
      unread: conv.unread + (unread && !visible ? 1 : 0),
      mentioned: conv.mentioned || (!visible && line.mention === true),
      newBelow: conv.newBelow + (unread && visible && conv.scroll > 0 ? 1 : 0),
    };
  });
}

/**
 * Appends a line about the client rather than a conversation (a command's reply, a notice, an
 * error) to `target` when it is open, else to the conversation on screen, else to the server window.
 */
export function appendSystemLine(state: ChatState, line: Line, target?: string): ChatState {
  const key = target !== undefined && state.convs[conversationKey(target)] ? conversationKey(target) : (state.active ?? STATUS_KEY);
  const next = key === STATUS_KEY ? ensureConversation(state, 'server', 'status') : state;
  return appendLine(next, key, line);
}

/** Puts a conversation on screen and clears its unread marks; an unknown key keeps the current one. */
export function selectConversation(state: ChatState, key: string | undefined): ChatState {
  if (key === undefined || !state.convs[key]) return { ...state, active: key && state.convs[key] ? key : state.active };
  if (state.active === key) return state;
  // The divider marks where reading stopped, only when something came after it.
  return updateConversation({ ...state, active: key }, key, (conv) => ({ unread: 0, mentioned: false, divider: conv.unread > 0 ? conv.readAt : undefined }));
}
