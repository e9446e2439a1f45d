import { ParleyClient, ParleyClientError, webSocketTransport, type ClientMessage, type Credentials } from '@parley/client';
import { foldName } from '@parley/protocol';
import { ChangeSignal } from './change-signal.ts';
import { nextConnection, type Connection } from './connection-status.ts';
import { Conversation, localId } from './conversation.ts';
import { describeError } from './describe-error.ts';
import { Messaging } from './messaging.ts';
import { Notifier } from './notifications.ts';
import { ClosedConversations, closedStorageKey } from './direct-conversations.ts';
import { showListedConversations } from './direct-conversation-views.ts';
import type { E2eSession } from './e2e-session.ts';
import { E2eTracker } from './e2e-tracker.ts';
import { t } from './i18n/index.ts';
import { sendMessage, showCommitted, type SendInput } from './outgoing.ts';
import { RoomTracker } from './room-tracker.ts';
import { shortServerName } from './server-addresses.ts';
import { runInput } from './run-input.ts';
import { showNotice, showRoomLost } from './server-notices.ts';
import { parseInput } from './slash-commands.ts';

export interface ConnectOptions {
  /** The server, or several addresses of it (its nodes), tried in this order (server-addresses.ts). */
  url: string | readonly string[];
  credentials: Credentials;
  /** A device label: ask for a device token that keeps this browser signed in (see stored-session.ts). */
  remember?: string;
}

const HISTORY_PAGE = 50;

/** `userinfo`: the user info dialog, as `/whois name` opens it; `devices`: /devices; `verify`: a DM's safety number; `identity`: the account's identity is another device's. */
export type Panel =
  | { kind: 'bans'; room: string | undefined }
  | { kind: 'userinfo'; name: string }
  | { kind: 'devices'; name: string | undefined }
  | { kind: 'verify'; key: string }
  | { kind: 'identity' };

/**
 * The web client's state: conversations, connection, sending and history. It wraps one
 * ParleyClient (the SDK does reconnects, resume and the outbox) and turns its events into what
 * the UI draws; the rooms' members, presence and topics are kept up to date by its RoomTracker.
 * Views subscribe and re-read everything on each change (see ChangeSignal).
 */
export class ChatStore {
  readonly client: ParleyClient;
  readonly conversations = new Map<string, Conversation>();
  activeKey: string | undefined;
  me = '';
  kind: 'account' | 'guest' = 'guest';
  away = false;
  connection: Connection = { state: 'idle', retryAt: undefined, resumedMissed: undefined };
  /** The address of the last connection that got through (the SDK's `client.url` runs ahead through the list while reconnecting). */
  server: string | undefined;
  /** The error that ended the client, for the connect screen. */
  fatal: ParleyClientError | undefined;
  /** A panel a typed command opened (/listbans, /whois, /devices), drawn over the chat. */
  panel: Panel | undefined;
  /** Direct conversations closed in the sidebar; read once the name is known. */
  private closed: ClosedConversations | undefined;
  private readonly changes = new ChangeSignal();
  private readonly roomTracker: RoomTracker;
  /** End-to-end encryption as this tab has it: each DM's encryption and verification, held sends. */
  readonly e2e: E2eTracker;
  /** Edits, replies, reactions, typing and read state (messaging.ts). */
  readonly messaging: Messaging;
  /** Desktop notifications, once the person allowed them; made at login (keyed by server and name). */
  notifier: Notifier | undefined;

  constructor(
    /** What this sign-in was made with (App signs in again with it after an identity import or reset). */
    readonly options: ConnectOptions,
    /** The sign-in's end-to-end keys and storage (e2e-session.ts); none: no end-to-end encryption. */
    readonly session?: E2eSession,
  ) {
    const e2eOptions = session?.clientOptions();
    this.client = new ParleyClient({
      url: options.url,
      transport: webSocketTransport(WebSocket),
      credentials: options.credentials,
      clientName: 'parley-web',
      ...(options.remember === undefined ? {} : { remember: options.remember }),
      // Browsers should not hammer a server that is restarting, yet notice within seconds that it is back: 250 ms doubling to 5 s.
      backoff: { initialMs: 250, maxMs: 5_000 },
      ...(e2eOptions ? { e2e: e2eOptions } : {}),
    });
    this.e2e = new E2eTracker(this, { mode: session?.mode ?? 'unavailable', options: e2eOptions }, () => this.changed());
    // Before the listeners below: see RoomTracker on the order of `nick` notices.
    this.roomTracker = new RoomTracker(this, () => this.changed());
    this.messaging = new Messaging(this);
    this.client.on('message', (message) => this.onMessage(message, true));
    this.client.on('committed', (committed) => showCommitted(this, committed));
    this.client.on('nick', (change) => this.onNick(change.old, change.new));
    this.client.on('notice', (notice) => showNotice(this, notice));
    this.client.on('room_lost', (lost) => showRoomLost(this, lost));
    this.client.on('error', (error) => {
      if (error.errorName === 'SHUTTING_DOWN') this.noticeActive(t('store.restarting'));
      else this.noticeActive(describeError(error), 'error');
    });
    // A lost node is not a restart: the page is on another node now and says which.
    this.client.on('failover', ({ from, to }) => this.noticeActive(t('store.failover', { from: shortServerName(from), to: shortServerName(to) })));
    this.client.on('state', (change) => {
      this.connection = nextConnection(this.connection, change, Date.now());
      if (change.state === 'closed' && change.error) this.fatal = change.error;
      if (change.state === 'connected') this.server = change.server ?? this.client.url.href;
      this.changed();
    });
  }

  subscribe(listener: () => void): () => void {
    return this.changes.subscribe(listener);
  }

  /** Views draw again (for changes made outside the store's own methods: outgoing.ts). */
  changed(): void {
    this.changes.notify();
  }

  get active(): Conversation | undefined {
    return this.activeKey === undefined ? undefined : this.conversations.get(this.activeKey);
  }

  /** Connects and logs in (rejects with the SDK's error), then opens the rooms the server put us in. */
  async connect(): Promise<void> {
    const identity = await this.client.connect();
    this.me = identity.name;
    this.kind = identity.kind;
    // Keyed by the first address, not the node that answered: the same on every node of the list.
    this.notifier = new Notifier(`parley.notify.${this.client.servers.all[0]?.href ?? this.client.url.href}.${foldName(identity.name)}`);
    this.closed = new ClosedConversations(closedStorageKey(this.client.servers.all[0]?.href ?? this.client.url.href, foldName(identity.name)));
    for (const summary of identity.rooms) {
      const conv = this.room(summary.name);
      conv.topic = summary.topic;
      conv.muted = summary.muted ? {} : undefined;
      void this.loadOlder(conv);
    }
    this.activeKey ??= this.sortedConversations()[0]?.key;
    this.roomTracker.refreshMembers(identity.rooms.map((r) => r.name));
    void showListedConversations(this, this.closed).then(() => this.messaging.loadUnread());
    this.changed();
  }

  openPanel(panel: Panel | undefined): void {
    this.panel = panel;
    this.changed();
  }

  /** The "reconnected" banner has been shown long enough. */
  dismissResumed(): void {
    this.connection = { ...this.connection, resumedMissed: undefined };
    this.changed();
  }

  /** Closes the client; the end-to-end session's lock goes once it is closed, unless it is kept for the next client (`keepE2e`). */
  async close({ keepE2e = false } = {}): Promise<void> {
    const closed = this.client.close();
    if (!keepE2e) this.session?.releaseAfter(closed);
    await closed;
  }

  isMe(name: string): boolean {
    return foldName(name) === foldName(this.me);
  }

  /** Rooms first, then direct conversations, each by name. */
  sortedConversations(): Conversation[] {
    const rank = { room: 0, all: 1, dm: 2 } as const;
    return [...this.conversations.values()].sort((a, b) => rank[a.kind] - rank[b.kind] || a.title.localeCompare(b.title, undefined, { sensitivity: 'base' }));
  }

  activate(key: string): void {
    const conv = this.conversations.get(key);
    if (!conv) return;
    if (this.activeKey !== key) this.messaging.opened(conv);
    this.activeKey = key;
    conv.unread = 0;
    if (conv.history === 'idle') void this.loadOlder(conv);
    this.changed();
  }

  /** Marks the active conversation read (the page came back into view). */
  markActiveRead(): void {
    const conv = this.active;
    if (conv && conv.unread > 0) {
      conv.unread = 0;
      this.changed();
    }
  }

  room(name: string): Conversation {
    return this.conversation(`room:${foldName(name)}`, 'room', name);
  }

  dm(peer: string): Conversation;
  dm(peer: string, create: false): Conversation | undefined;
  dm(peer: string, create = true): Conversation | undefined {
    const key = `dm:${foldName(peer)}`;
    return create ? this.conversation(key, 'dm', peer) : this.conversations.get(key);
  }

  /** Takes a direct conversation out of the sidebar until a newer message comes (`/close`, its close button). */
  closeConversation(conv: Conversation): void {
    if (conv.kind !== 'dm') return;
    this.closed?.close(conv);
    this.conversations.delete(conv.key);
    if (this.activeKey === conv.key) this.activeKey = this.sortedConversations()[0]?.key;
    this.changed();
  }


  /** Messages sent to ALL, and where notices go when no conversation is open. */
  everyone(): Conversation {
    return this.conversation('all', 'all', 'ALL');
  }

  private conversation(key: string, kind: Conversation['kind'], target: string): Conversation {
    let conv = this.conversations.get(key);
    if (!conv) {
      conv = new Conversation(key, kind, target);
      this.conversations.set(key, conv);
      if (kind === 'dm') void this.e2e.refresh(conv);
      // A room's id is its name: lines about messages this device could not decrypt may have come first.
      else if (kind === 'room') this.e2e.noteConversation(conv);
    }
    return conv;
  }

  /** Loads the page before the oldest message shown (the newest page when nothing is shown yet); returns how many messages it got. */
  async loadOlder(conv: Conversation, limit = HISTORY_PAGE): Promise<number> {
    if (conv.history !== 'idle') return 0;
    conv.history = 'loading';
    this.changed();
    const before = conv.oldestSeq;
    let loaded = 0;
    try {
      const page = await this.client.history(conv.address, { ...(before === undefined ? {} : { before }), limit });
      for (const message of page.messages) this.onMessage(message, false, conv);
      loaded = page.messages.length;
      const oldest = page.messages[0]?.seq;
      if (oldest !== undefined) conv.oldestRead = Math.min(oldest, conv.oldestRead ?? oldest);
      conv.history = oldest === undefined || oldest <= 1 ? 'done' : 'idle';
    } catch (error) {
      // A partner we never talked with has no history; a deleted room has none to give.
      conv.history = 'done';
      if (!(error instanceof ParleyClientError) || (error.errorName !== 'NO_SUCH_USER' && error.errorName !== 'NO_SUCH_ROOM')) {
        this.notice(conv, t('store.historyFailed', { reason: describeError(error) }), 'error');
      }
    }
    this.changed();
    return loaded;
  }

  /** Runs what was typed in the message box for the active conversation. */
  async submit(input: string): Promise<void> {
    const conv = this.active;
    try {
      await runInput(this, parseInput(input, conv?.kind === 'room' ? conv.target : undefined, conv?.target), conv);
    } catch (error) {
      // A refusal says which rule of the server's said no, as a sentence (describe-error.ts): the server decides, not this client.
      this.notice(conv ?? this.everyone(), describeError(error), 'error');
    }
    this.changed();
  }

  /** Sends our own message, shown at once and then in its stored place (outgoing.ts). */
  send(conv: Conversation, text: string, input: SendInput = {}): Promise<void> {
    return sendMessage(this, conv, { ...input, text });
  }

  noteConversationId(conv: Conversation, id: string): void {
    conv.conv = id;
    this.closed?.reopen(id);
    this.e2e.noteConversation(conv);
  }

  async join(name: string, password?: string): Promise<void> {
    this.entered(await this.client.join(name, password));
  }

  /** Shows a room this connection is now in (a join, or a create that joined it). */
  entered(joined: { name: string; topic: string; muted?: true; encrypted?: true; conv?: string; lastSeq?: number }): void {
    this.e2e.noteRoom(joined);
    const conv = this.room(joined.name);
    if (joined.conv !== undefined) this.messaging.noteConvId(joined.conv, conv);
    if (joined.lastSeq !== undefined) conv.lastSeq = Math.max(conv.lastSeq, joined.lastSeq);
    conv.target = joined.name;
    conv.topic = joined.topic;
    conv.joined = true;
    conv.muted = joined.muted ? (conv.muted ?? {}) : undefined;
    if (conv.history === 'done' && conv.items.length === 0) conv.history = 'idle';
    this.activate(conv.key);
    this.roomTracker.refreshMembers([joined.name]);
  }

  /** Reads a room's member list again (after a change no event reports, such as a room role). */
  refreshMembers(room: string): void {
    this.roomTracker.refreshMembers([room]);
  }

  async leave(name: string): Promise<void> {
    const { room } = await this.client.part(name);
    const conv = this.room(room);
    this.conversations.delete(conv.key);
    if (this.activeKey === conv.key) this.activeKey = this.sortedConversations()[0]?.key;
    this.changed();
  }

  async setAway(away: boolean): Promise<void> {
    await this.client.request('presence', { status: away ? 'away' : 'online' });
    this.away = away;
    this.roomTracker.showOwnStatus(away ? 'away' : 'online');
    this.changed();
  }

  /** `into` is the conversation a history page was read for (a DM by its id: the peer's name then may be someone else's now). */
  private onMessage(message: ClientMessage, live: boolean, into?: Conversation): void {
    // A group change a tab without end-to-end encryption gets as it is: not a message.
    if (message.kind === 'mls_commit') return;
    const mine = this.isMe(message.from);
    const peer = mine ? message.to : message.from;
    const direct = message.to !== 'ALL' && !message.to.startsWith('#');
    // A closed conversation stays closed for what it had; a newer message opens it again.
    if (direct && !into && !this.dm(peer, false) && this.closed?.hides(message.conv, message.seq)) return;
    const conv = into ?? (message.to === 'ALL' ? this.everyone() : message.to.startsWith('#') ? this.room(message.to) : this.dm(peer));
    if (direct) this.noteConversationId(conv, message.conv);
    // Ours with its cmid: a line still waiting for the room's home is this message (conversation.ts).
    // An edit, redaction or reaction changes the message it names instead of being shown (messaging.ts).
    if (this.messaging.noteMessage(conv, message)) {
      conv.lastSeq = Math.max(conv.lastSeq, message.seq);
      this.changed();
      return;
    }
    const cmid = mine && message.cmid !== undefined ? { cmid: message.cmid } : {};
    const state = { ...(message.reply === undefined ? {} : { reply: message.reply }), ...(message.edited === undefined ? {} : { edited: message.edited }), ...(message.redacted ? { redacted: true as const } : {}), ...(message.reactions ? { reactions: message.reactions } : {}) };
    const added = conv.addStored({ type: 'message', id: `${message.conv}:${message.seq}`, seq: message.seq, from: message.from, ts: message.ts, mine, status: 'sent', ...cmid, ...this.e2e.present(message, conv), ...state });
    if (!added) return;
    if (live && !mine && (conv.key !== this.activeKey || document.hidden)) {
      conv.unread += 1;
      if (!message.redacted) this.notifier?.message(conv, { from: message.from, text: this.e2e.present(message, conv).text, me: this.me });
    }
    this.changed();
  }

  /** Renames us, or our direct conversation with whoever was renamed (RoomTracker renames them in room lists). */
  private onNick(old: string, name: string): void {
    if (this.isMe(old)) this.me = name;
    const dm = this.conversations.get(`dm:${foldName(old)}`);
    if (dm && !this.conversations.has(`dm:${foldName(name)}`)) {
      this.conversations.delete(dm.key);
      const renamed = this.dm(name);
      renamed.takeOver(dm);
      if (this.activeKey === dm.key) this.activeKey = renamed.key;
      this.notice(renamed, t('event.nick', { old, name }));
    }
    this.changed();
  }

  notice(conv: Conversation, text: string, tone: 'info' | 'error' = 'info'): void {
    conv.add({ type: 'notice', id: localId(), ts: Date.now(), text, tone });
    this.changed();
  }

  /** An invitation's notice, with a Join button for its room. */
  invitation(conv: Conversation, text: string, room: string): void {
    conv.add({ type: 'notice', id: localId(), ts: Date.now(), text, tone: 'info', join: room });
    this.changed();
  }

  /** A notice in the open conversation, if one is open. */
  noticeActive(text: string, tone: 'info' | 'error' = 'info'): void {
    const conv = this.active;
    if (conv) this.notice(conv, text, tone);
  }
}
