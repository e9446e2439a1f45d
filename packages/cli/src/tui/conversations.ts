import { nameKey, type ChatMessage, type MemberInfo, type PresenceStatus } from '@parley/protocol';

/**
 * The terminal UI's model: one conversation per room, per direct-message partner, for ALL and
 * (only when needed) for server status. A pure reducer, so every rule here has a unit test.
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
  /** Own send the server refused. */
  failed?: boolean;
  /** The text names me (or it is a direct message). */
  mention?: boolean;
}

export interface Member {
  name: string;
  status: PresenceStatus;
  kind: 'account' | 'guest';
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
}

export interface ChatState {
  me: string;
  order: string[];
  convs: Record<string, Conversation>;
  active: string | undefined;
}

export type ChatAction =
  | { type: 'identity'; me: string }
  | { type: 'message'; message: ChatMessage }
  | { type: 'sending'; target: string; text: string; id: number; ts: number }
  | { type: 'sent'; id: number; seq: number }
  | { type: 'send-failed'; id: number; reason: string }
  | { type: 'joined'; room: string; topic: string }
  | { type: 'left'; room: string }
  | { type: 'close'; key: string }
  | { type: 'members'; room: string; members: MemberInfo[] }
  | { type: 'member-joined'; room: string; user: string }
  | { type: 'member-left'; room: string; user: string; reason?: string }
  | { type: 'presence'; user: string; status: PresenceStatus }
  | { type: 'nick'; old: string; new: string }
  | { type: 'topic'; room: string; topic: string; by: string }
  | { type: 'room-deleted'; room: string; by: string }
  | { type: 'history-loading'; key: string }
  | { type: 'history'; key: string; messages: ChatMessage[]; complete: boolean }
  | { type: 'history-failed'; key: string }
  | { type: 'system'; text: string; error?: boolean; target?: string }
  | { type: 'open'; target: string }
  | { type: 'select'; index: number }
  | { type: 'cycle'; delta: number }
  | { type: 'scroll'; rows: number; max: number };

/** At most this many lines are kept per conversation; older ones can be loaded again. */
export const MAX_LINES = 2000;
export const STATUS_KEY = '*status';

export function conversationKey(target: string): string {
  if (target === 'ALL') return '*all';
  if (target.startsWith('#')) return nameKey(target);
  return `@${nameKey(target)}`;
}

const kindOf = (target: string): ConversationKind => (target === 'ALL' ? 'all' : target.startsWith('#') ? 'room' : 'dm');
const same = (a: string, b: string) => nameKey(a) === nameKey(b);

/** Where a message belongs: its room, ALL, or the other party of a direct message. */
export function messageTarget(message: ChatMessage, me: string): string {
  if (message.to === 'ALL' || message.to.startsWith('#')) return message.to;
  return same(message.from, me) ? message.to : message.from;
}

export function initialChatState(me: string): ChatState {
  return { me, order: [], convs: {}, active: undefined };
}

function newConversation(key: string, kind: ConversationKind, label: string): Conversation {
  return { key, kind, label, topic: '', lines: [], unread: 0, mentioned: false, members: [], scroll: 0, newBelow: 0, historyComplete: kind === 'status', loadingHistory: false, historyRequested: false, gone: false };
}

/** Adds the conversation if missing: rooms after the other rooms, everything else at the end. */
function ensure(state: ChatState, target: string, kind: ConversationKind = kindOf(target)): ChatState {
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

function update(state: ChatState, key: string, change: (conv: Conversation) => Partial<Conversation>): ChatState {
  const conv = state.convs[key];
  if (!conv) return state;
  return { ...state, convs: { ...state.convs, [key]: { ...conv, ...change(conv) } } };
}

function capped(lines: Line[]): { lines: Line[]; trimmed: boolean } {
  return lines.length > MAX_LINES ? { lines: lines.slice(lines.length - MAX_LINES), trimmed: true } : { lines, trimmed: false };
}

/** Appends a line; counts it as unread when the conversation is not on screen or scrolled up. */
function append(state: ChatState, key: string, line: Line, unread: boolean): ChatState {
  const visible = state.active === key;
  return update(state, key, (conv) => {
    const { lines, trimmed } = capped([...conv.lines, line]);
    return {
      lines,
      ...(trimmed ? { historyComplete: false } : {}),
      unread: conv.unread + (unread && !visible ? 1 : 0),
      mentioned: conv.mentioned || (!visible && line.mention === true),
      newBelow: conv.newBelow + (unread && visible && conv.scroll > 0 ? 1 : 0),
    };
  });
}

function mentions(text: string, me: string): boolean {
  if (!me) return false;
  const escaped = me.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}_])${escaped}($|[^\\p{L}\\p{N}_])`, 'iu').test(text);
}

function toLine(message: ChatMessage, me: string, dm: boolean): Line {
  const mine = same(message.from, me);
  return { kind: 'message', ts: message.ts, from: message.from, text: message.text, seq: message.seq, mention: !mine && (dm || mentions(message.text, me)) };
}

function select(state: ChatState, key: string | undefined): ChatState {
  if (key === undefined || !state.convs[key]) return { ...state, active: key && state.convs[key] ? key : state.active };
  return update({ ...state, active: key }, key, () => ({ unread: 0, mentioned: false }));
}

/** Rooms `user` is listed in. */
function roomsOf(state: ChatState, user: string): string[] {
  return state.order.filter((key) => state.convs[key]!.members.some((m) => same(m.name, user)));
}

const byPresence = (a: Member, b: Member) => Number(a.status === 'offline') - Number(b.status === 'offline') || a.name.localeCompare(b.name);

function findPending(state: ChatState, id: number): string | undefined {
  return state.order.find((key) => state.convs[key]!.lines.some((l) => l.pending === id));
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'identity':
      return { ...state, me: action.me };
    case 'message': {
      const target = messageTarget(action.message, state.me);
      const next = ensure(state, target);
      const key = conversationKey(target);
      if (next.convs[key]!.lines.some((l) => l.seq === action.message.seq)) return next;
      const line = toLine(action.message, state.me, kindOf(target) === 'dm');
      return append(next, key, line, !same(action.message.from, state.me));
    }
    case 'sending': {
      const next = ensure(state, action.target);
      return append(next, conversationKey(action.target), { kind: 'message', ts: action.ts, from: state.me, text: action.text, pending: action.id }, false);
    }
    case 'sent':
    case 'send-failed': {
      const key = findPending(state, action.id);
      if (!key) return state;
      return update(state, key, (conv) => ({
        lines: conv.lines.flatMap((l): Line[] => {
          if (l.pending !== action.id) return [l];
          const { pending: _pending, ...rest } = l;
          if (action.type === 'sent') return [{ ...rest, seq: action.seq }];
          return [{ ...rest, failed: true }, { kind: 'error', ts: l.ts, text: `not sent: ${action.reason}` }];
        }),
      }));
    }
    case 'joined': {
      const next = ensure(state, action.room);
      const key = conversationKey(action.room);
      return select(update(next, key, () => ({ topic: action.topic, gone: false })), key);
    }
    case 'left':
    case 'close': {
      const key = action.type === 'left' ? conversationKey(action.room) : action.key;
      const index = state.order.indexOf(key);
      if (index < 0) return state;
      const order = state.order.filter((k) => k !== key);
      const { [key]: _removed, ...convs } = state.convs;
      const next = { ...state, order, convs, active: state.active === key ? undefined : state.active };
      return next.active ? next : select(next, order[Math.max(0, index - 1)]);
    }
    case 'members': {
      const members = action.members.map((m) => ({ name: m.name, status: m.status, kind: m.kind })).sort(byPresence);
      return update(state, conversationKey(action.room), () => ({ members }));
    }
    case 'member-joined': {
      const key = conversationKey(action.room);
      const next = update(state, key, (conv) => ({
        members: [...conv.members.filter((m) => !same(m.name, action.user)), { name: action.user, status: 'online' as const, kind: 'guest' as const }].sort(byPresence),
      }));
      return append(next, key, { kind: 'event', ts: Date.now(), text: `→ ${action.user} joined` }, false);
    }
    case 'member-left': {
      const key = conversationKey(action.room);
      const next = update(state, key, (conv) => ({ members: conv.members.filter((m) => !same(m.name, action.user)) }));
      return append(next, key, { kind: 'event', ts: Date.now(), text: `← ${action.user} left${action.reason ? ` (${action.reason})` : ''}` }, false);
    }
    case 'presence': {
      // A guest that goes offline is gone (its memberships end with its last connection); an
      // account stays listed as offline.
      let next = state;
      for (const key of roomsOf(state, action.user)) {
        next = update(next, key, (conv) => ({
          members: conv.members
            .filter((m) => !(same(m.name, action.user) && m.kind === 'guest' && action.status === 'offline'))
            .map((m) => (same(m.name, action.user) ? { ...m, status: action.status } : m))
            .sort(byPresence),
        }));
      }
      return next;
    }
    case 'nick': {
      let next: ChatState = same(action.old, state.me) ? { ...state, me: action.new } : state;
      for (const key of roomsOf(state, action.old)) {
        next = update(next, key, (conv) => ({ members: conv.members.map((m) => (same(m.name, action.old) ? { ...m, name: action.new } : m)).sort(byPresence) }));
        next = append(next, key, { kind: 'event', ts: Date.now(), text: `${action.old} is now ${action.new}` }, false);
      }
      const oldKey = conversationKey(action.old);
      const dm = next.convs[oldKey];
      const newKey = conversationKey(action.new);
      if (dm && dm.kind === 'dm' && !next.convs[newKey]) {
        const { [oldKey]: _old, ...convs } = next.convs;
        next = {
          ...next,
          order: next.order.map((k) => (k === oldKey ? newKey : k)),
          convs: { ...convs, [newKey]: { ...dm, key: newKey, label: action.new } },
          active: next.active === oldKey ? newKey : next.active,
        };
        next = append(next, newKey, { kind: 'event', ts: Date.now(), text: `${action.old} is now ${action.new}` }, false);
      }
      return next;
    }
    case 'topic': {
      const key = conversationKey(action.room);
      const next = update(state, key, () => ({ topic: action.topic }));
      return append(next, key, { kind: 'event', ts: Date.now(), text: `${action.by} set the topic: ${action.topic}` }, false);
    }
    case 'room-deleted': {
      const key = conversationKey(action.room);
      const next = update(state, key, () => ({ gone: true, members: [] }));
      return append(next, key, { kind: 'error', ts: Date.now(), text: `${action.room} was deleted by ${action.by}` }, false);
    }
    case 'history-loading':
      return update(state, action.key, () => ({ loadingHistory: true, historyRequested: true }));
    case 'history-failed':
      return update(state, action.key, () => ({ loadingHistory: false, historyRequested: false }));
    case 'history':
      return update(state, action.key, (conv) => {
        const seqs = conv.lines.filter((l) => l.seq !== undefined).map((l) => l.seq!);
        const oldest = seqs.length ? Math.min(...seqs) : Infinity;
        const older = action.messages.filter((m) => m.seq < oldest).map((m) => toLine(m, state.me, conv.kind === 'dm'));
        const { lines, trimmed } = capped([...older, ...conv.lines]);
        return { lines, loadingHistory: false, historyComplete: action.complete && !trimmed };
      });
    case 'system': {
      const target = action.target && state.convs[conversationKey(action.target)] ? conversationKey(action.target) : (state.active ?? STATUS_KEY);
      const next = target === STATUS_KEY ? ensure(state, 'server', 'status') : state;
      return append(next, target, { kind: action.error ? 'error' : 'event', ts: Date.now(), text: action.text }, false);
    }
    case 'open': {
      const next = ensure(state, action.target);
      return select(next, conversationKey(action.target));
    }
    case 'select':
      return select(state, state.order[action.index]);
    case 'cycle': {
      if (state.order.length === 0) return state;
      const at = state.active ? state.order.indexOf(state.active) : 0;
      const index = (at + action.delta + state.order.length) % state.order.length;
      return select(state, state.order[index]);
    }
    case 'scroll': {
      if (!state.active) return state;
      return update(state, state.active, (conv) => {
        const scroll = Math.max(0, Math.min(action.max, conv.scroll + action.rows));
        return { scroll, newBelow: scroll === 0 ? 0 : conv.newBelow };
      });
    }
  }
}

/** The oldest stored seq shown, for `history { before }`; undefined when nothing is loaded. */
export function oldestSeq(conv: Pick<Conversation, 'lines'>): number | undefined {
  let oldest: number | undefined;
  for (const line of conv.lines) if (line.seq !== undefined && (oldest === undefined || line.seq < oldest)) oldest = line.seq;
  return oldest;
}
