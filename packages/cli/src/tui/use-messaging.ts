import type { ParleyClient } from '@parley/client';
import { useEffect, useRef, useState } from 'react';
import type { Connection } from './connection-status.ts';
import type { ChatAction } from './chat-reducer.ts';
import type { ChatState, Conversation } from './conversations.ts';
import { messageVerbs } from './message-commands.ts';
import { typingNow } from './read-state.ts';

/** A typing notice is repeated this often while typing goes on (others forget one after TYPING_EXPIRES_MS, 6 s). */
export const TYPING_REPEAT_MS = 3_000;

const newestSeq = (conv: Conversation) => conv.lines.findLast((l) => l.kind === 'message' && l.seq !== undefined && l.seq > 0)?.seq;

/**
 * Typing notices and read state for the conversation on screen (docs/tui.md, "Typing" and
 * "Unread messages"): `unread` at each connection, marks what is on screen read, sends typing
 * while the input holds text for it, and says who is typing here until their notice expires.
 */
export function useMessaging(client: ParleyClient, props: { conv: Conversation | undefined; connection: Connection; dispatch: (action: ChatAction) => void; state: ChatState; line: string }): { typing: string[] } {
  const { conv, connection, dispatch, state, line } = props;
  const verbs = useRef(messageVerbs(client)).current;

  // The server's unread counts and read positions, at every (re)connection.
  useEffect(() => {
    if (connection.state !== 'connected') return;
    verbs.unread().then(
      (conversations) => dispatch({ type: 'unread-info', conversations }),
      () => undefined,
    );
  }, [connection]);

  // What is on screen (following the newest, not scrolled up) is read.
  const newest = conv ? newestSeq(conv) : undefined;
  useEffect(() => {
    if (!conv || conv.kind === 'status' || conv.kind === 'all' || conv.scroll > 0 || newest === undefined || connection.state !== 'connected') return;
    if ((conv.readAt ?? 0) >= newest) return;
    dispatch({ type: 'read', conv: conv.convId ?? conv.label, seq: newest });
    void verbs.markRead(conv.label, newest).catch(() => undefined);
  }, [conv?.key, newest, conv?.scroll, connection.state]);

  // Typing: on while the input holds text for the conversation (not a command), repeated; off when it is sent or cleared.
  const typingTo = useRef<{ to: string; at: number } | undefined>(undefined);
  const typed = line !== '' && !line.startsWith('/') && (conv?.kind === 'room' || conv?.kind === 'dm') && !conv.gone;
  useEffect(() => {
    const now = Date.now();
    const current = typingTo.current;
    if (current && (!typed || current.to !== conv?.label)) {
      typingTo.current = undefined;
      void verbs.typing(current.to, false).catch(() => undefined);
    }
    if (typed && conv && (!typingTo.current || now - typingTo.current.at >= TYPING_REPEAT_MS)) {
      typingTo.current = { to: conv.label, at: now };
      void verbs.typing(conv.label, true).catch(() => undefined);
    }
  }, [line, conv?.key]);

  // Who is typing here, redrawn when the first notice expires.
  const [now, setNow] = useState(Date.now());
  const typers = typingNow(state, conv?.key, now);
  const expiries = Object.values(state.typing[conv?.key ?? ''] ?? {}).filter((until) => until > now);
  useEffect(() => {
    if (expiries.length === 0) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(50, Math.min(...expiries) - Date.now() + 10));
    return () => clearTimeout(timer);
  }, [expiries.join(','), now]);
  return { typing: typers };
}
