import type { ParleyClient } from '@parley/client';
import { TYPING_EXPIRES_MS } from '@parley/protocol';
import { useEffect, useRef, useState } from 'react';
import { roomLostText, stoppedText } from '../chat-format.ts';
import { chatReducer, type ChatAction } from './chat-reducer.ts';
import { connectionFromState, type Connection } from './connection-status.ts';
import { conversationKey, initialChatState, messageTarget, type ChatState } from './conversations.ts';

/** The terminal bell (BEL): the terminal shows or sounds it, and tmux flags the window. */
const BELL = '\u0007';

/**
 * The chat state fed by the client's events. `stateRef` always holds the newest state, for
 * commands that finish after later events.
 */
export function useChatClient(client: ParleyClient, options: { bell: boolean } = { bell: true }) {
  const stateRef = useRef<ChatState>(initialChatState(client.identity?.name ?? '', client.e2e ? 'setup' : 'off'));
  const [state, setState] = useState(stateRef.current);
  const [connection, setConnection] = useState<Connection>(() => (client.state === 'connected' ? { state: 'connected', resumed: false, missed: 0 } : { state: 'connecting' }));
  const dispatch = useRef((action: ChatAction) => {
    // Keep the ref current at once (not at the next render): commands read it right after dispatching.
    stateRef.current = chatReducer(stateRef.current, action);
    setState(stateRef.current);
  }).current;

  const lost = useRef(false);
  useEffect(() => {
    const offs = [
      client.on('message', (message) => {
        dispatch({ type: 'message', message });
        // A mention or a DM where I am not looking rings the bell (once per message).
        if (!options.bell) return;
        const state = stateRef.current;
        const key = conversationKey(messageTarget(message, state.me));
        if (state.active === key) return;
        if (state.convs[key]?.lines.findLast((l) => l.seq === message.seq)?.mention) process.stdout.write(BELL);
      }),
      client.on('typing', (e) => dispatch({ type: 'typing', conv: e.conv, user: e.user, on: e.on, until: Date.now() + TYPING_EXPIRES_MS })),
      // My read position from another device (or this one): its unread count goes.
      client.on('read', (e) => dispatch({ type: 'read', conv: e.conv, seq: e.seq })),
      // A send that waited for its room's home (another server) is stored now.
      client.on('committed', (c) => dispatch({ type: 'committed', room: c.receipt.to, cmid: c.cmid, seq: c.receipt.seq })),
      client.on('join', (e) => dispatch({ type: 'member-joined', room: e.room, user: e.user })),
      client.on('part', (e) => dispatch({ type: 'member-left', room: e.room, user: e.user, removal: e })),
      client.on('topic', (e) => dispatch({ type: 'topic', room: e.room, topic: e.topic, by: e.by })),
      client.on('room_deleted', (e) => dispatch({ type: 'room-deleted', room: e.room, by: e.by })),
      client.on('room_role', (e) => dispatch({ type: 'member-role', room: e.room, user: e.user, role: e.role, by: e.by })),
      client.on('presence', (e) => dispatch({ type: 'presence', user: e.user, status: e.status })),
      client.on('nick', (e) => dispatch({ type: 'nick', old: e.old, new: e.new })),
      // A notice about a room (I was muted there, invited to it) goes to that room's conversation.
      client.on('notice', (e) => {
        if (!e.room) return dispatch({ type: 'system', text: `notice: ${e.text}` });
        dispatch({ type: 'system', text: e.text, target: e.room, error: e.kind === 'mute' });
        // Its header follows a mode change (without e2e too: then the room cannot be read here).
        if (e.kind === 'mode' && e.modes) dispatch({ type: 'e2e-room', room: e.room, encrypted: e.modes.encrypted });
      }),
      client.on('room_lost', (e) => {
        dispatch({ type: 'left', room: e.room });
        dispatch({ type: 'system', text: roomLostText(e.room, e.error), error: true });
      }),
      // An error that ends the client (a kick, a ban) is said once, as the client stops (below).
      client.on('error', (e) => {
        if (e.action !== 'stop') dispatch({ type: 'system', text: `${e.errorName}: ${e.message}`, error: true });
      }),
      // Another node took over: the status bar shows it, and the log says where it changed.
      client.on('failover', (e) => dispatch({ type: 'system', text: `${e.from} is gone; continuing on ${e.to}` })),
      client.on('state', (change) => {
        // One line in the conversation per outage, so the log shows where the gap was.
        if (change.state === 'reconnecting' && change.delayMs !== undefined && !lost.current) {
          lost.current = true;
          dispatch({ type: 'system', text: 'connection lost; reconnecting', error: true });
        } else if (change.state === 'connected' && lost.current) {
          lost.current = false;
          dispatch({ type: 'system', text: `reconnected; ${change.missed ?? 0} missed message(s) fetched` });
        } else if (change.state === 'closed' && change.error && change.error.errorName !== 'CLOSED') {
          dispatch({ type: 'system', text: stoppedText(change.error), error: true });
        }
        setConnection(connectionFromState(change, Date.now()));
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [client, dispatch, options.bell]);

  return { state, stateRef, dispatch, connection };
}
