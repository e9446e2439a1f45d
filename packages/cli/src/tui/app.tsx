import type { ParleyClient } from '@parley/client';
import { Box, Text, useApp, useInput } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import { nameKey } from '@parley/protocol';
import type { TrustInfo } from './connection-status.ts';
import { completesJoinRoom } from './completion.ts';
import { startText } from './conversations.ts';
import { ConversationList } from './conversation-list.tsx';
import { HeaderBar } from './header-bar.tsx';
import { HelpOverlay } from './help-overlay.tsx';
import { InputLine } from './input-line.tsx';
import { applyInput, emptyInput } from './input-state.ts';
import { keyCommands, type KeyCommand } from './keys.ts';
import { lineOf } from './line-editor.ts';
import { layout } from './layout.ts';
import { MemberList } from './member-list.tsx';
import { MessagePane } from './message-pane.tsx';
import { paneRows, visibleRows, type Row } from './message-rows.ts';
import { ServerRooms } from './server-rooms.ts';
import { StatusBar } from './status-bar.tsx';
import type { ChatSender } from '../send-order.ts';
import { COMMAND_WORDS, loadOlder, refreshMembers, roomJoined, runInput, type TuiContext } from './tui-commands.ts';
import { useChatClient } from './use-chat-client.ts';
import { useE2e, type E2eStart } from './use-e2e.ts';
import { typingText } from './read-state.ts';
import { useMessaging } from './use-messaging.ts';
import { useTerminalSize } from './use-terminal-size.ts';

const NUMBERED_COMMAND = /^\/(edit|delete|reply|react|unreact)(\s|$)/i;

export interface AppProps {
  client: ParleyClient;
  /** How the server's certificate was accepted at the latest connection. */
  trust: () => TrustInfo;
  /** Joined and shown first (`--room`). */
  room: string;
  /** Called once when the user quits; resolves when it is safe to exit. */
  onQuit(): Promise<void>;
  /** Every send goes through it (send-order.ts). */
  sender: ChatSender;
  /** End-to-end encryption as set up before the UI started. */
  e2e: E2eStart;
  /** Ring the terminal bell for a mention or a DM elsewhere (`--no-bell` turns it off). */
  bell?: boolean;
}

/** The full-screen chat: room list | messages | members, then status bar and input line. */
export function App({ client, trust, room, onQuit, sender, e2e, bell = true }: AppProps) {
  const { exit } = useApp();
  const { cols, rows } = useTerminalSize();
  const { state, stateRef, dispatch, connection } = useChatClient(client, { bell });
  const { refreshSecurity } = useE2e(client, { dispatch, stateRef, start: e2e });
  const shown = useMemo(() => new Map<string, string>(), []);
  const inputRef = useRef(emptyInput);
  const [input, setInput] = useState(emptyInput);
  const [help, setHelp] = useState(false);
  const [, setTick] = useState(0);
  const quitting = useRef(false);
  const serverRooms = useMemo(() => new ServerRooms(async () => (await client.request('rooms', {})).rooms), [client]);

  const ctx: TuiContext = useMemo(
    () => ({
      client,
      serverRooms,
      sender,
      shown,
      refreshSecurity,
      state: () => stateRef.current,
      dispatch,
      openHelp: () => setHelp(true),
      fillInput: (line) => {
        inputRef.current = { ...inputRef.current, line: lineOf(line), completion: undefined };
        setInput(inputRef.current);
      },
      quit: () => {
        if (quitting.current) return;
        quitting.current = true;
        dispatch({ type: 'system', text: 'quitting…' });
        void onQuit().finally(() => exit());
      },
    }),
    [client, dispatch, exit, onQuit, serverRooms, stateRef, sender, shown, refreshSecurity],
  );

  useEffect(() => {
    // Rooms an account (or the server's defaults) put me in at login, then the --room one.
    const rooms = client.identity?.rooms ?? [];
    for (const r of rooms) roomJoined(ctx, r);
    const first = rooms.find((r) => nameKey(r.name) === nameKey(room));
    if (first) dispatch({ type: 'open', target: first.name });
    else void runInput(ctx, `/join ${room}`);
  }, [ctx]);

  // After a reconnect the member lists may be stale: ask again. The server starts a new
  // connection online, so someone who was away says so again first (else the lists show them online).
  useEffect(() => {
    if (connection.state !== 'connected' || !connection.resumed) return;
    const away = stateRef.current.away ? client.request('presence', { status: 'away' }).catch(() => undefined) : Promise.resolve();
    void away.then(() => {
      for (const key of stateRef.current.order) {
        const conv = stateRef.current.convs[key]!;
        if (conv.kind === 'room' && !conv.gone) void refreshMembers(ctx, conv.label, true);
      }
    });
  }, [connection, ctx]);

  // Someone came online: guests and accounts enter their rooms at sign-in without a join event,
  // so a presence change of someone not listed means the member lists are out of date.
  useEffect(
    () =>
      client.on('presence', (event) => {
        const rooms = stateRef.current.order.map((key) => stateRef.current.convs[key]!).filter((c) => c.kind === 'room' && !c.gone);
        if (rooms.some((c) => c.members.some((m) => nameKey(m.name) === nameKey(event.user)))) return;
        for (const conv of rooms) void refreshMembers(ctx, conv.label);
      }),
    [client, ctx],
  );

  // The reconnect countdown.
  useEffect(() => {
    if (connection.state !== 'reconnecting') return;
    const timer = setInterval(() => setTick((t) => t + 1), 250);
    return () => clearInterval(timer);
  }, [connection]);

  const box = layout(cols, rows);
  const conv = state.active ? state.convs[state.active] : undefined;
  const { typing } = useMessaging(client, { conv, connection, dispatch, state, line: input.line.text });
  const textWidth = Math.max(1, box.pane - 2);

  // A DM or room on screen says whether it is encrypted: asked when it comes on screen and after a reconnect.
  useEffect(() => {
    if ((conv?.kind === 'dm' || conv?.kind === 'room') && connection.state === 'connected') refreshSecurity(conv.label);
  }, [conv?.key, connection.state, refreshSecurity]);

  // A conversation opened by a message or /msg shows its recent history once.
  useEffect(() => {
    if (conv && conv.kind !== 'status' && !conv.historyRequested && connection.state === 'connected') void loadOlder(ctx, conv);
  }, [conv?.key, conv?.historyRequested, connection.state, ctx]);

  // Message numbers show while a command that takes one is typed (docs/tui.md, "Edits, replies and reactions").
  const numbers = NUMBERED_COMMAND.test(input.line.text);
  const allRows = useMemo(() => {
    if (!conv) return [];
    const marker: Row[] = conv.loadingHistory
      ? [[{ text: 'loading older messages…', dim: true }]]
      : conv.historyComplete && conv.kind !== 'status'
        ? [[{ text: `— ${startText(conv)} —`, dim: true }]]
        : [];
    return [...marker, ...paneRows(conv.lines, textWidth, { me: state.me, divider: conv.divider, numbers })];
  }, [conv?.lines, conv?.loadingHistory, conv?.historyComplete, conv?.divider, state.me, textWidth, numbers]);
  const visible = visibleRows(allRows, box.paneHeight, conv?.scroll ?? 0);

  const sources = useMemo(() => {
    const rooms = state.order.map((k) => state.convs[k]!).filter((c) => c.kind === 'room').map((c) => c.label);
    const dms = state.order.map((k) => state.convs[k]!).filter((c) => c.kind === 'dm').map((c) => c.label);
    const members = conv?.members.map((m) => m.name) ?? [];
    const names = [...members, ...dms].filter((n) => nameKey(n) !== nameKey(state.me));
    return { commands: [...COMMAND_WORDS], rooms, names };
  }, [state, conv]);

  const page = (direction: 1 | -1) => {
    if (!conv) return;
    const step = Math.max(1, box.paneHeight - 2);
    dispatch({ type: 'scroll', rows: -direction * step, max: visible.maxScroll });
    if (direction < 0 && conv.scroll + step >= visible.maxScroll && !conv.historyComplete && !conv.loadingHistory) void loadOlder(ctx, conv);
  };

  const handle = (command: KeyCommand) => {
    switch (command.type) {
      case 'select':
        return dispatch({ type: 'select', index: command.index });
      case 'cycle':
        return dispatch({ type: 'cycle', delta: command.delta });
      case 'page':
        return page(command.direction);
      case 'quit':
        return ctx.quit();
      default: {
        const result = applyInput(inputRef.current, command, { ...sources, serverRooms: serverRooms.names() });
        inputRef.current = result.state;
        if (result.submitted !== undefined) void runInput(ctx, result.submitted);
        if (command.type === 'complete' && !result.state.completion) completeOnceListed(result.state);
      }
    }
  };

  // Tab after "/join " offers the server's rooms. Typing "/join " starts reading the list; a Tab
  // that found nothing before the list came is tried again with it, unless the line changed meanwhile.
  const completeOnceListed = (tabbed: typeof inputRef.current) => {
    if (!completesJoinRoom(tabbed.line) || serverRooms.fresh(Date.now())) return;
    void serverRooms.refresh().then(() => {
      if (inputRef.current !== tabbed) return;
      inputRef.current = applyInput(tabbed, { type: 'complete' }, { ...sources, serverRooms: serverRooms.names() }).state;
      setInput(inputRef.current);
    });
  };

  useInput((typed, key) => {
    const commands = keyCommands(typed, key);
    if (help) {
      // Any key closes the help; only Ctrl+C still quits.
      if (commands.some((c) => c.type === 'quit')) ctx.quit();
      if (commands.length > 0) setHelp(false);
      return;
    }
    for (const command of commands) handle(command);
    if (completesJoinRoom(inputRef.current.line) && !serverRooms.fresh(Date.now())) void serverRooms.refresh();
    setInput(inputRef.current);
  });

  if (box.tooSmall) {
    return (
      <Box width={cols} height={rows}>
        <Text>Terminal too small ({cols}×{rows}); Parley needs 30×8.</Text>
      </Box>
    );
  }
  const prompt = conv ? (conv.kind === 'dm' ? `[@${conv.label}]` : conv.kind === 'status' ? '[server]' : `[${conv.label}]`) : '[-]';
  return (
    <Box width={cols} height={rows} flexDirection="column">
      <HeaderBar conv={conv} width={cols} e2e={state.e2e.state} />
      <Box height={box.paneHeight} flexDirection="row">
        {help ? (
          <HelpOverlay width={cols} height={box.paneHeight} />
        ) : (
          <>
            {box.sidebar > 0 ? <ConversationList state={state} width={box.sidebar} height={box.paneHeight} /> : null}
            <MessagePane rows={visible.rows} width={box.pane} height={box.paneHeight} />
            {box.members > 0 ? <MemberList conv={conv} width={box.members} height={box.paneHeight} /> : null}
          </>
        )}
      </Box>
      <StatusBar server={client.url.href} scheme={client.url.scheme} trust={trust()} connection={connection} me={state.me} away={state.away} now={Date.now()} width={cols} e2e={state.e2e} typing={typingText(typing)} />
      <InputLine prompt={prompt} line={input.line} width={cols} />
    </Box>
  );
}

