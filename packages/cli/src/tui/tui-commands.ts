import type { ParleyClient, ParleyClientError } from '@parley/client';
import { CLIENT_HELP, classifyInput, DIALECT_ALIASES, isRoomTarget, PARLEY_LINES, splitServer, type MessageKind, type RoomSummary } from '@parley/protocol';
import { runServerCommand, slashWord, type ChatContext } from '../chat-commands.ts';
import { E2E_USAGE, runE2eCommand, type E2eCommandContext } from '../e2e-commands.ts';
import { plainHintFor, sendFailureReason } from '../e2e-text.ts';
import { isDirect, type ChatSender } from '../send-order.ts';
import type { ChatAction } from './chat-reducer.ts';
import { conversationKey, oldestSeq, type ChatState, type Conversation } from './conversations.ts';
import { ENCRYPT_USAGE, runEncrypt, type EncryptContext } from './encrypt-command.ts';
import { messageCommands } from './message-command-table.ts';
import type { ServerRooms } from './server-rooms.ts';

/** What commands may do to the UI. `state()` is the latest state, not the one at the keypress. */
export interface TuiContext {
  client: ParleyClient;
  /** The server's room list for completing `/join`; `/rooms` refreshes it. */
  serverRooms: ServerRooms;
  /** Every send goes through it: in typing order, DMs refused when e2e could not be set up here. */
  sender: ChatSender;
  /** Safety numbers shown by /verify, per person (see e2e-commands.ts). */
  shown: Map<string, string>;
  /** Asks the SDK again about the DM or room `name` (its header follows). */
  refreshSecurity(name: string): void;
  state(): ChatState;
  dispatch(action: ChatAction): void;
  openHelp(): void;
  /** Puts text into the input line to edit (`/edit` with no text). */
  fillInput(line: string): void;
  quit(): void;
}

type TuiHandler = (ctx: TuiContext, args: string) => Promise<void>;

const HISTORY_PAGE = 50;
/** Failures a reconnect cures. */
const TRANSIENT = new Set<string | undefined>(['DISCONNECTED', 'TIMEOUT', 'CONNECT_FAILED']);
let nextSendId = 1;

/** Refusals that say something about the person's encryption: their DM's header is asked again. */
const SECURITY_REFUSALS = new Set(['E2E_PEER_UNENCRYPTED', 'E2E_PEER_IDENTITY_CHANGED']);

/**
 * Sends with a local echo that turns into the stored message at the receipt. A DM that goes out
 * unencrypted (`plaintext`, or this session has no e2e) is marked so from the start. A refused
 * DM says why in its window and, when another one is on screen, there too.
 */
export function sendText(ctx: TuiContext, target: string, input: { text: string; kind?: MessageKind | undefined; plaintext?: boolean; reply?: number }): void {
  const { text, kind } = input;
  const id = nextSendId++;
  const options: Parameters<ChatSender['send']>[2] = { ...(kind === 'action' ? { kind } : {}), ...(input.plaintext ? { plaintext: true } : {}), ...(input.reply !== undefined ? { reply: input.reply } : {}) };
  const plaintext = isDirect(target) && !ctx.sender.encrypted(target, options);
  ctx.dispatch({ type: 'sending', target, text, id, ts: Date.now(), ...(input.reply !== undefined ? { reply: input.reply } : {}), ...(kind === 'action' ? { action: true as const } : {}), ...(plaintext ? { plaintext: true as const } : {}) });
  ctx.sender.send(target, text, options).then(
    (receipts) => {
      const receipt = receipts[0];
      // Pending: a room homed on another server that has not taken it yet; seq 0 is no place in the room.
      if (receipt?.pending) ctx.dispatch({ type: 'waiting', id, cmid: receipt.cmid, server: splitServer(target).server ?? '' });
      else ctx.dispatch({ type: 'sent', id, seq: receipt?.seq ?? 0 });
    },
    (error: ParleyClientError) => {
      ctx.dispatch({ type: 'send-failed', id, reason: sendFailureReason(error, { to: target, plainHint: plainHintFor(true) }) });
      const active = activeConv(ctx);
      if (active && active.key !== conversationKey(target)) {
        ctx.dispatch({ type: 'system', text: `not sent to ${target}: ${sendFailureReason(error, { to: target, plainHint: plainHintFor(false) })}`, error: true });
      }
      if (SECURITY_REFUSALS.has(error.errorName)) ctx.refreshSecurity(target);
      // The room turned encrypted while this session (without e2e) was not told: its header says so now.
      if (error.errorName === 'E2E_ROOM_ENCRYPTED' && isRoomTarget(target)) ctx.dispatch({ type: 'e2e-room', room: target, encrypted: true });
    },
  );
}

/** Fetches the page before the oldest message shown (the newest page when nothing is shown). */
export async function loadOlder(ctx: TuiContext, conv: Pick<Conversation, 'key' | 'kind' | 'label' | 'lines'>, limit = HISTORY_PAGE): Promise<void> {
  if (conv.kind === 'status') return;
  const before = oldestSeq(conv);
  ctx.dispatch({ type: 'history-loading', key: conv.key });
  try {
    const page = await ctx.client.history(conv.label, { limit, ...(before !== undefined ? { before } : {}) });
    // Sequence numbers are gapless from 1; a short page proves nothing (the server trims pages
    // to a byte budget), reaching seq 1 or an empty page does.
    const complete = page.messages.length === 0 || page.messages[0]!.seq <= 1;
    ctx.dispatch({ type: 'history', key: conv.key, messages: page.messages, complete });
  } catch (error) {
    const failure = error as ParleyClientError;
    if (TRANSIENT.has(failure.errorName)) {
      // Asked again once connected (app.tsx) or at the next PageUp.
      ctx.dispatch({ type: 'history-failed', key: conv.key });
      return;
    }
    ctx.dispatch({ type: 'history', key: conv.key, messages: [], complete: true });
    // A guest's direct messages are not kept: nothing to page through is not worth a red line.
    if (failure.errorName !== 'NO_SUCH_USER') ctx.dispatch({ type: 'system', text: `no history: ${failure.errorName}: ${failure.message}`, error: true });
  }
}

/** Who is in the room now, for the member list. */
export async function refreshMembers(ctx: TuiContext, room: string, reconnected = false): Promise<void> {
  try {
    const { members } = await ctx.client.request('who', { room });
    ctx.dispatch({ type: 'members', room, members, ...(reconnected ? { reconnected: true as const } : {}) });
  } catch {
    // The list stays as it was; the next join/part/presence event corrects it.
  }
}

/** A new room on screen (from its summary: a join, a create, the login's rooms): select it, then fill in members and recent history. */
export function roomJoined(ctx: TuiContext, room: Pick<RoomSummary, 'name' | 'topic' | 'encrypted'>): void {
  const { name } = room;
  ctx.dispatch({ type: 'joined', room: name, topic: room.topic, encrypted: room.encrypted === true });
  void refreshMembers(ctx, name);
  void loadOlder(ctx, { key: conversationKey(name), kind: 'room', label: name, lines: [] });
}

const activeConv = (ctx: TuiContext) => {
  const state = ctx.state();
  return state.active ? state.convs[state.active] : undefined;
};

/** /verify, /trust and /plain with the DM on screen as the person, replies into the conversation. */
function e2eContext(ctx: TuiContext): E2eCommandContext {
  const conv = activeConv(ctx);
  return {
    client: ctx.client,
    target: conv?.kind === 'dm' ? conv.label : undefined,
    shown: ctx.shown,
    out: (text, tone) => ctx.dispatch({ type: 'system', text, ...(tone === 'warn' ? { error: true } : {}) }),
    sendPlain: (to, text) => sendText(ctx, to, { text, plaintext: true }),
    trustChanged: (name) => ctx.refreshSecurity(name),
  };
}

const e2eCommand = (word: 'verify' | 'trust' | 'plain') => ({
  usage: E2E_USAGE[word],
  async run(ctx: TuiContext, args: string) {
    await runE2eCommand(e2eContext(ctx), word, args);
  },
});

/** /encrypt with the room on screen as the default, replies into the room. */
function encryptContext(ctx: TuiContext): EncryptContext {
  const conv = activeConv(ctx);
  return {
    client: ctx.client,
    current: conv?.kind === 'room' && !conv.gone ? conv.label : undefined,
    joined: (room) => {
      const open = ctx.state().convs[conversationKey(room)];
      return open?.kind === 'room' && !open.gone ? { encrypted: open.encrypted === true } : undefined;
    },
    created: (room) => roomJoined(ctx, room),
    encrypted: (room, encrypted) => ctx.dispatch({ type: 'e2e-room', room, encrypted }),
    say: (text, room) => ctx.dispatch({ type: 'system', text, target: room }),
  };
}

/** The --plain command path, with its output into the current conversation and hooks into the UI state. */
async function shared(ctx: TuiContext, line: string): Promise<void> {
  const conv = activeConv(ctx);
  const chatContext: ChatContext = {
    client: ctx.client,
    room: conv?.kind === 'room' && !conv.gone ? conv.label : undefined,
    target: conv?.kind === 'dm' ? conv.label : conv?.kind === 'all' ? 'ALL' : undefined,
    send: (to, text, kind) => to.forEach((name) => sendText(ctx, name, { text, kind })),
    out: (text) => ctx.dispatch({ type: 'system', text: text.replace(/^\* /, '') }),
    status: (text) => ctx.dispatch({ type: 'system', text }),
    joined: (joined) => roomJoined(ctx, joined),
    left: (room) => ctx.dispatch({ type: 'left', room }),
    renamed: (me) => ctx.dispatch({ type: 'identity', me }),
    topic: (room, topic) => ctx.dispatch({ type: 'topic', room, topic }),
    listed: (rooms) => ctx.serverRooms.set(rooms, Date.now()),
    modes: (room, modes) => ctx.dispatch({ type: 'e2e-room', room, encrypted: modes.encrypted }),
    presence: (status, message) => ctx.dispatch({ type: 'own-presence', status, ...(message ? { message } : {}) }),
  };
  await runServerCommand(chatContext, line);
  // A mute, kick, ban or role change alters the member list and no event tells a moderator of
  // every one of them: read it again.
  const word = slashWord(line);
  if (conv?.kind === 'room' && !conv.gone && (OPERATOR_WORDS.has(word) || word === 'who')) await refreshMembers(ctx, conv.label);
}

const OPERATOR_WORDS = new Set(CLIENT_HELP.operator.map((word) => word.toLowerCase()));

/** This client's own commands; every other /word is a server command from the shared grammar. */
export const LOCAL_COMMANDS: Record<string, { usage: string; run: TuiHandler }> = {
  msg: {
    usage: '/msg name[,name] [text]  direct message; without text, open the window',
    async run(ctx, args) {
      const [names = '', ...rest] = args.trim().split(/\s+/);
      const text = args.trim().slice(names.length).trim();
      const to = names.split(',').filter(Boolean);
      if (to.length === 0) throw new Error('usage: /msg name[,name] [text]');
      // With text it is sent and shown in the DM window, staying where I am (as in IRC clients).
      for (const name of to) {
        if (rest.length > 0) sendText(ctx, name, { text });
        else ctx.dispatch({ type: 'open', target: name });
      }
    },
  },
  close: {
    usage: '/close               close a direct-message window (leaves a room)',
    async run(ctx) {
      const conv = activeConv(ctx);
      if (conv?.kind === 'room' && !conv.gone) return shared(ctx, `/part ${conv.label}`);
      if (conv) ctx.dispatch({ type: 'close', key: conv.key });
    },
  },
  history: {
    usage: '/history [n]         load n older messages (PageUp at the top does too)',
    async run(ctx, args) {
      const conv = activeConv(ctx);
      if (!conv || conv.kind === 'status') throw new Error('No conversation here');
      const n = Math.min(200, Math.max(1, Number(args.trim() || HISTORY_PAGE) || HISTORY_PAGE));
      await loadOlder(ctx, conv, n);
    },
  },
  encrypt: {
    usage: ENCRYPT_USAGE,
    async run(ctx, args) {
      await runEncrypt(encryptContext(ctx), args);
    },
  },
  ...messageCommands(sendText),
  verify: e2eCommand('verify'),
  trust: e2eCommand('trust'),
  plain: e2eCommand('plain'),
  help: {
    usage: '/help                keys and commands',
    async run(ctx) {
      ctx.openHelp();
    },
  },
  quit: {
    usage: '/quit                leave (after pending messages are delivered)',
    async run(ctx) {
      ctx.quit();
    },
  },
};

/** Every /word Tab completes: this client's own and the shared grammar's. */
export const COMMAND_WORDS: readonly string[] = [...new Set([...Object.keys(LOCAL_COMMANDS), ...Object.keys(PARLEY_LINES), ...Object.keys(DIALECT_ALIASES)].map((w) => w.toLowerCase()))];

/** One line from the input: a command, or text for the current conversation. */
export async function runInput(ctx: TuiContext, line: string): Promise<void> {
  const input = classifyInput(line);
  try {
    if (input.kind === 'command') {
      const word = slashWord(line);
      const args = line.replace(/^\/{1,2}\S*/, '');
      // `/delete #room` is the operators' room deletion (the shared grammar); `/delete [n]` a message.
      const local = word === 'delete' && /^\s*#/.test(args) ? undefined : LOCAL_COMMANDS[word];
      if (local) await local.run(ctx, args);
      else await shared(ctx, line);
      return;
    }
    const conv = activeConv(ctx);
    if (!conv || conv.kind === 'status') throw new Error('no conversation: /join #room or /msg name first');
    if (conv.gone) throw new Error(`${conv.label} was deleted`);
    sendText(ctx, conv.kind === 'all' ? 'ALL' : conv.label, { text: input.text });
  } catch (error) {
    const failure = error as ParleyClientError;
    ctx.dispatch({ type: 'system', text: failure.errorName ? `${failure.errorName}: ${failure.message}` : failure.message, error: true });
  }
}
