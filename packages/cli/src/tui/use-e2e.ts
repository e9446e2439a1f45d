import type { ParleyClient } from '@parley/client';
import { isRoomTarget } from '@parley/protocol';
import { useCallback, useEffect, useRef, type RefObject } from 'react';
import { E2eMonitor } from '../e2e-monitor.ts';
import { identityCreatedText } from '../e2e-text.ts';
import type { ChatAction } from './chat-reducer.ts';
import { sameName, type ChatState, type ConversationKind } from './conversations.ts';

/** Where this session's e2e stands before the UI starts: a local failure (a key file others can read) or a key made just now. */
export interface E2eStart {
  failure?: string | undefined;
  created?: string | undefined;
  account?: string | undefined;
  server: string;
}

/**
 * The terminal UI's end-to-end indicators, fed by the SDK: the session's setup (E2eMonitor),
 * each DM's encryption and verification for its header (asked when the DM is on screen and after
 * every change: a device added, an identity changed, a reconnect), each room's encryption (the
 * SDK's `e2e_room`, and asked when the room is on screen), and the lines that say what went
 * wrong. Returns `refreshSecurity(name)` for commands that change trust.
 */
export function useE2e(client: ParleyClient, input: { dispatch: (action: ChatAction) => void; stateRef: RefObject<ChatState>; start: E2eStart }) {
  const { dispatch, stateRef, start } = input;
  // Lines said before any conversation is open wait for the first one (else they would open a server window first).
  const waiting = useRef<ChatAction[]>([]);
  const say = useCallback(
    (action: ChatAction) => {
      // In order: once lines wait, later ones wait behind them.
      if (stateRef.current.active && waiting.current.length === 0) dispatch(action);
      else waiting.current.push(action);
    },
    [dispatch, stateRef],
  );
  const active = stateRef.current.active;
  useEffect(() => {
    if (active) for (const action of waiting.current.splice(0)) dispatch(action);
  }, [active, dispatch]);

  const refreshSecurity = useCallback(
    (name: string) => {
      const e2e = client.e2e;
      if (!e2e) return;
      // A room has no one to verify (the SDK's verification() is for people and throws for a room).
      if (isRoomTarget(name)) {
        e2e.conversationEncryption(name).then(
          (encryption) => dispatch({ type: 'e2e-room', room: name, encrypted: encryption === 'encrypted' }),
          () => undefined,
        );
        return;
      }
      Promise.all([e2e.conversationEncryption(name), e2e.verification(name)]).then(
        ([encryption, verification]) => dispatch({ type: 'e2e-security', name, security: { encryption, verification } }),
        // No such user any more (a guest who left), or disconnected: the header keeps what it had.
        () => undefined,
      );
    },
    [client, dispatch],
  );

  const open = (kinds: readonly ConversationKind[]) => {
    const state = stateRef.current;
    return state.order.map((key) => state.convs[key]!).filter((c) => kinds.includes(c.kind));
  };

  useEffect(() => {
    if (start.failure) {
      dispatch({ type: 'e2e-status', state: 'failed' });
      say({ type: 'system', text: `End-to-end encryption could not be set up on this machine: ${start.failure}. Rooms work; direct messages are refused unless sent with /plain.`, error: true });
    }
    if (start.created) say({ type: 'system', text: identityCreatedText(start.created) });
    if (!client.e2e) return;
    const monitor = new E2eMonitor(
      client,
      {
        ready: () => {
          dispatch({ type: 'e2e-status', state: 'ready' });
          for (const conv of open(['dm', 'room'])) refreshSecurity(conv.label);
        },
        setupFailed: (text) => {
          dispatch({ type: 'e2e-status', state: 'failed' });
          say({ type: 'system', text, error: true });
        },
        notice: (text) => say({ type: 'system', text, error: true }),
        identityChanged: (name) => dispatch({ type: 'e2e-identity-changed', name }),
        conversationLine: ({ conv, name, text, summary }) => dispatch({ type: 'e2e-line', name, text, ...(summary !== undefined ? { tag: `undecryptable ${conv}` } : {}) }),
      },
      { account: start.account, server: start.server },
    );
    const offs = [
      // Someone's devices changed: the header of a DM with them may say something else now.
      client.on('e2e_devices', (event) => {
        const conv = open(['dm']).find((c) => sameName(c.label, event.user));
        if (conv) refreshSecurity(conv.label);
      }),
      // The SDK learnt a room's mode (a summary, a mode change, a plaintext send the server refused).
      client.on('e2e_room', (event) => dispatch({ type: 'e2e-room', room: event.room, encrypted: event.encrypted })),
      client.on('e2e_group', (event) => {
        void monitor.names.name(event.conv).then((name) => name !== undefined && refreshSecurity(name));
      }),
    ];
    return () => {
      monitor.dispose();
      offs.forEach((off) => off());
    };
  }, [client, dispatch, refreshSecurity, say]);

  return { refreshSecurity };
}
