import type { UnreadInfo } from '@parley/protocol';
import { conversationKey, ensureConversation, sameName, updateConversation, type ChatState } from './conversations.ts';

/**
 * Typing notices and read state (docs/tui.md, "Typing" and "Unread messages"). The server names
 * a conversation by its id (`#dev`, `dm:a1:a2`); a DM's id is learned from its messages and
 * `unread`, and a typing notice in a DM is from the other person, so it is their window.
 */
export type ReadAction =
  /** `until`: when the notice expires here (now + TYPING_EXPIRES_MS); `on: false` ends it at once. */
  | { type: 'typing'; conv: string; user: string; on: boolean; until: number }
  /** The `unread` reply at login: counts and read positions per conversation. */
  | { type: 'unread-info'; conversations: UnreadInfo[] }
  /** My read position rose (my mark here, or a `read` event from another device). */
  | { type: 'read'; conv: string; seq: number };

/** The key of the conversation a server id names, when it is open (or, for a DM notice, `dmPeer`'s). */
export function keyOfConv(state: ChatState, conv: string, dmPeer?: string): string | undefined {
  const known = state.order.find((key) => state.convs[key]!.convId === conv);
  if (known) return known;
  if (conv.startsWith('#')) return state.convs[conversationKey(conv)] ? conversationKey(conv) : undefined;
  return dmPeer !== undefined && state.convs[conversationKey(dmPeer)] ? conversationKey(dmPeer) : undefined;
}

/** Who is typing in conversation `key` now, in the order they started. */
export function typingNow(state: ChatState, key: string | undefined, now: number): string[] {
  if (key === undefined) return [];
  return Object.entries(state.typing[key] ?? {})
    .filter(([, until]) => until > now)
    .map(([user]) => user);
}

/** "alice is typing…", "alice and bob are typing…", "3 people are typing…". */
export function typingText(users: readonly string[]): string {
  if (users.length === 0) return '';
  if (users.length === 1) return `${users[0]} is typing…`;
  if (users.length === 2) return `${users[0]} and ${users[1]} are typing…`;
  return `${users.length} people are typing…`;
}

export function reduceReadEvent(state: ChatState, action: ReadAction): ChatState {
  switch (action.type) {
    case 'typing': {
      if (sameName(action.user, state.me)) return state;
      const key = keyOfConv(state, action.conv, action.conv.startsWith('#') ? undefined : action.user);
      if (!key) return state;
      const { [action.user]: _old, ...others } = state.typing[key] ?? {};
      return { ...state, typing: { ...state.typing, [key]: action.on ? { ...others, [action.user]: action.until } : others } };
    }
    case 'unread-info': {
      let next = state;
      for (const info of action.conversations) {
        // A DM with something unread gets its window (listed, not opened); one read to the end does not.
        if (!info.conv.startsWith('#') && info.unread > 0) next = ensureConversation(next, info.with, 'dm');
        const key = info.conv.startsWith('#') ? conversationKey(info.conv) : conversationKey(info.with);
        next = updateConversation(next, key, (conv) => ({
          convId: info.conv,
          readAt: Math.max(conv.readAt ?? 0, info.read),
          // On screen: it is being read now; the divider shows where reading stopped.
          ...(next.active === key ? (info.unread > 0 ? { divider: conv.divider ?? info.read } : {}) : { unread: Math.max(conv.unread, info.unread) }),
        }));
      }
      return next;
    }
    case 'read': {
      const key = keyOfConv(state, action.conv);
      if (!key) return state;
      return updateConversation(state, key, (conv) => {
        if ((conv.readAt ?? 0) >= action.seq && conv.unread === 0) return {};
        // What is still unread: messages of others after the position, of those this client holds.
        const after = conv.lines.filter((l) => l.kind === 'message' && l.seq !== undefined && l.seq > action.seq && !sameName(l.from ?? '', state.me)).length;
        const unread = Math.min(conv.unread, after);
        return { readAt: Math.max(conv.readAt ?? 0, action.seq), unread, ...(unread === 0 ? { mentioned: false } : {}) };
      });
    }
  }
}
