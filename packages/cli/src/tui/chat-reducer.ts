import type { ClientMessage } from '@parley/client';
import { isPlaintextDm, unreadableText } from '../chat-format.ts';
import {
  appendLine,
  appendSystemLine,
  appendUnreadLine,
  capLines,
  conversationKey,
  ensureConversation,
  messageTarget,
  sameName,
  selectConversation,
  targetKind,
  updateConversation,
  type ChatState,
  type Line,
} from './conversations.ts';
import { reduceE2eEvent, type E2eAction } from './e2e-state.ts';
import { applyLineChange, isChange } from './message-changes.ts';
import { reduceReadEvent, type ReadAction } from './read-state.ts';
import { reduceMemberEvent, type MemberAction } from './member-events.ts';

/**
 * Everything that changes the terminal UI's state, from the server or from the keyboard. A pure
 * reducer, so every rule here has a unit test (conversations.test.ts).
 */
export type ChatAction =
  | { type: 'identity'; me: string }
  | { type: 'message'; message: ClientMessage }
  /** `plaintext`: a DM that goes out unencrypted (marked as such). */
  | { type: 'sending'; target: string; text: string; id: number; ts: number; action?: true; plaintext?: true; reply?: number }
  | { type: 'sent'; id: number; seq: number }
  /** The receipt said `pending`: the room's home (`server`) has not taken the message yet. */
  | { type: 'waiting'; id: number; cmid: string; server: string }
  /** A waiting send of ours is stored now, at the home's seq (the SDK's `committed`). */
  | { type: 'committed'; room: string; cmid: string; seq: number }
  | { type: 'send-failed'; id: number; reason: string }
  /** `encrypted`: the room's summary said it is end-to-end encrypted. */
  | { type: 'joined'; room: string; topic: string; encrypted?: boolean }
  | { type: 'left'; room: string }
  | { type: 'close'; key: string }
  | MemberAction
  | E2eAction
  | ReadAction
  /** `by` is who set it; without it (a topic I read or set myself) the header changes and nothing is said. */
  | { type: 'topic'; room: string; topic: string; by?: string }
  | { type: 'room-deleted'; room: string; by: string }
  | { type: 'history-loading'; key: string }
  | { type: 'history'; key: string; messages: ClientMessage[]; complete: boolean }
  | { type: 'history-failed'; key: string }
  | { type: 'system'; text: string; error?: boolean; target?: string }
  | { type: 'open'; target: string }
  | { type: 'select'; index: number }
  | { type: 'cycle'; delta: number }
  | { type: 'scroll'; rows: number; max: number };

function mentions(text: string, me: string): boolean {
  if (!me) return false;
  const escaped = me.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}_])${escaped}($|[^\\p{L}\\p{N}_])`, 'iu').test(text);
}

function toLine(message: ClientMessage, me: string, dm: boolean): Line {
  const mine = sameName(message.from, me);
  const unreadable = unreadableText(message);
  return {
    kind: 'message',
    ts: message.ts,
    from: message.from,
    text: unreadable ?? message.text,
    seq: message.seq,
    conv: message.conv,
    mention: !mine && (dm || mentions(message.text, me)),
    ...(message.reply !== undefined ? { reply: message.reply } : {}),
    ...(message.edited !== undefined ? { edited: message.edited } : {}),
    ...(message.redacted ? { redacted: true as const } : {}),
    ...(message.reactions?.length ? { reactions: message.reactions } : {}),
    ...(message.kind === 'action' ? { action: true as const } : {}),
    ...(dm && isPlaintextDm(message) ? { plaintext: true as const } : {}),
  };
}

/** A change of a conversation's encrypted group (seen only with --no-e2e) is not a message. */
const isShown = (message: ClientMessage) => message.kind !== 'mls_commit' && !isChange(message);

function findPending(state: ChatState, id: number): string | undefined {
  return state.order.find((key) => state.convs[key]!.lines.some((l) => l.pending === id));
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'identity':
      return { ...state, me: action.me };
    case 'message': {
      const target = messageTarget(action.message, state.me);
      const key = conversationKey(target);
      // An edit, redaction or reaction changes the line it names (when loaded), and is not a line itself.
      if (isChange(action.message)) return updateConversation(state, key, (conv) => ({ lines: applyLineChange(conv.lines, action.message) as Line[] }));
      if (!isShown(action.message)) return state;
      const known = ensureConversation(state, target);
      const next = known.convs[key]!.convId === action.message.conv ? known : updateConversation(known, key, () => ({ convId: action.message.conv }));
      if (next.convs[key]!.lines.some((l) => l.seq === action.message.seq)) return next;
      const line = toLine(action.message, state.me, targetKind(target) === 'dm');
      return sameName(action.message.from, state.me) ? appendLine(next, key, line) : appendUnreadLine(next, key, line);
    }
    case 'sending': {
      const next = ensureConversation(state, action.target);
      return appendLine(next, conversationKey(action.target), { kind: 'message', ts: action.ts, from: state.me, text: action.text, pending: action.id, ...(action.reply !== undefined ? { reply: action.reply } : {}), ...(action.action ? { action: true as const } : {}), ...(action.plaintext ? { plaintext: true as const } : {}) });
    }
    case 'sent':
    case 'waiting':
    case 'send-failed': {
      const key = findPending(state, action.id);
      if (!key) return state;
      return updateConversation(state, key, (conv) => ({
        lines: conv.lines.flatMap((l): Line[] => {
          if (l.pending !== action.id) return [l];
          const { pending: _pending, ...rest } = l;
          if (action.type === 'sent') return [{ ...rest, seq: action.seq }];
          if (action.type === 'waiting') return [{ ...rest, waiting: action.server, cmid: action.cmid }];
          return [{ ...rest, failed: true }, { kind: 'error', ts: l.ts, text: `not sent: ${action.reason}` }];
        }),
      }));
    }
    case 'committed':
      return updateConversation(state, conversationKey(action.room), (conv) => ({
        lines: conv.lines.map((l) => {
          if (l.waiting === undefined || l.cmid !== action.cmid) return l;
          const { waiting: _waiting, cmid: _cmid, ...rest } = l;
          return { ...rest, seq: action.seq };
        }),
      }));
    case 'joined': {
      const next = ensureConversation(state, action.room);
      const key = conversationKey(action.room);
      return selectConversation(updateConversation(next, key, () => ({ topic: action.topic, gone: false, encrypted: action.encrypted === true })), key);
    }
    case 'left':
    case 'close': {
      const key = action.type === 'left' ? conversationKey(action.room) : action.key;
      const index = state.order.indexOf(key);
      if (index < 0) return state;
      const order = state.order.filter((k) => k !== key);
      const { [key]: _removed, ...convs } = state.convs;
      const next = { ...state, order, convs, active: state.active === key ? undefined : state.active };
      return next.active ? next : selectConversation(next, order[Math.max(0, index - 1)]);
    }
    case 'members':
    case 'member-joined':
    case 'member-left':
    case 'presence':
    case 'nick':
    case 'member-role':
    case 'own-presence':
      return reduceMemberEvent(state, action);
    case 'e2e-status':
    case 'e2e-security':
    case 'e2e-identity-changed':
    case 'e2e-room':
    case 'e2e-line':
      return reduceE2eEvent(state, action);
    case 'typing':
    case 'unread-info':
    case 'read':
      return reduceReadEvent(state, action);
    case 'topic': {
      const key = conversationKey(action.room);
      const next = updateConversation(state, key, () => ({ topic: action.topic }));
      if (action.by === undefined) return next;
      return appendLine(next, key, { kind: 'event', ts: Date.now(), text: `${action.by} set the topic: ${action.topic}` });
    }
    case 'room-deleted': {
      const key = conversationKey(action.room);
      const next = updateConversation(state, key, () => ({ gone: true, members: [] }));
      return appendLine(next, key, { kind: 'error', ts: Date.now(), text: `${action.room} was deleted by ${action.by}` });
    }
    case 'history-loading':
      return updateConversation(state, action.key, () => ({ loadingHistory: true, historyRequested: true }));
    case 'history-failed':
      return updateConversation(state, action.key, () => ({ loadingHistory: false, historyRequested: false }));
    case 'history':
      return updateConversation(state, action.key, (conv) => {
        const seqs = conv.lines.filter((l) => l.seq !== undefined).map((l) => l.seq!);
        const oldest = seqs.length ? Math.min(...seqs) : Infinity;
        const older = action.messages.filter((m) => m.seq < oldest && isShown(m)).map((m) => toLine(m, state.me, conv.kind === 'dm'));
        const { lines, trimmed } = capLines([...older, ...conv.lines]);
        const convId = conv.convId ?? action.messages[0]?.conv;
        return { lines, loadingHistory: false, historyComplete: action.complete && !trimmed, ...(convId !== undefined ? { convId } : {}) };
      });
    case 'system':
      return appendSystemLine(state, { kind: action.error ? 'error' : 'event', ts: Date.now(), text: action.text }, action.target);
    case 'open': {
      const next = ensureConversation(state, action.target);
      return selectConversation(next, conversationKey(action.target));
    }
    case 'select':
      return selectConversation(state, state.order[action.index]);
    case 'cycle': {
      if (state.order.length === 0) return state;
      const at = state.active ? state.order.indexOf(state.active) : 0;
      const index = (at + action.delta + state.order.length) % state.order.length;
      return selectConversation(state, state.order[index]);
    }
    case 'scroll': {
      if (!state.active) return state;
      return updateConversation(state, state.active, (conv) => {
        const scroll = Math.max(0, Math.min(action.max, conv.scroll + action.rows));
        return { scroll, newBelow: scroll === 0 ? 0 : conv.newBelow };
      });
    }
  }
}
