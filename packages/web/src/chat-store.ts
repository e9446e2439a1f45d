import { ParleyClient, ParleyClientError, webSocketTransport, type ClientState, type Credentials } from '@parley/client';
import { nameKey, type ChatMessage, type MemberInfo } from '@parley/protocol';
import { byName, Conversation, type TimelineMessage } from './conversation.ts';
import { runInput } from './run-input.ts';
import { parseInput } from './slash-commands.ts';

export interface ConnectOptions {
  url: string;
  credentials: Credentials;
}

export interface Connection {
  state: ClientState;
  /** While reconnecting: when the next attempt starts (Date.now() clock). */
  retryAt: number | undefined;
  /** Set after a reconnect, cleared by the UI once shown. */
  resumedMissed: number | undefined;
}

const HISTORY_PAGE = 50;
let nextId = 1;
const newId = () => `local-${nextId++}`;

/**
 * The web client's state: conversations, members, connection. It wraps one ParleyClient (the
 * SDK does reconnects, resume and the outbox) and turns its events into what the UI draws.
 * Views subscribe and re-read everything on each change; there is one change per microtask.
 */
export class ChatStore {
  readonly client: ParleyClient;
  readonly conversations = new Map<string, Conversation>();
  activeKey: string | undefined;
  me = '';
  kind: 'account' | 'guest' = 'guest';
  away = false;
  connection: Connection = { state: 'idle', retryAt: undefined, resumedMissed: undefined };
  /** The error that ended the client, for the connect screen. */
  fatal: ParleyClientError | undefined;
  private readonly listeners = new Set<() => void>();
  private notifyQueued = false;
  private whoTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly whoPending = new Set<string>();

  constructor(options: ConnectOptions) {
    this.client = new ParleyClient({
      url: options.url,
      transport: webSocketTransport(WebSocket),
      credentials: options.credentials,
      clientName: 'parley-web',
      // Browsers should not hammer a server that is restarting: 250 ms doubling to 30 s.
      backoff: { initialMs: 250, maxMs: 30_000 },
    });
    this.client.on('message', (message) => this.onMessage(message, true));
    this.client.on('join', ({ room, user }) => this.onJoin(room, user));
    this.client.on('part', ({ room, user, reason }) => this.onPart(room, user, reason));
    this.client.on('topic', ({ room, topic, by }) => {
      const conv = this.room(room);
      conv.topic = topic;
      this.notice(conv, topic ? `${by} set the topic: ${topic}` : `${by} cleared the topic`);
    });
    this.client.on('room_deleted', ({ room, by }) => {
      const conv = this.room(room);
      conv.joined = false;
      conv.members = [];
      this.notice(conv, `${by} deleted ${conv.target}`);
    });
    this.client.on('presence', ({ user, status }) => this.onPresence(user, status));
    this.client.on('nick', (change) => this.onNick(change.old, change.new));
    this.client.on('notice', ({ text }) => this.noticeActive(text));
    this.client.on('error', (error) => {
      if (error.errorName === 'SHUTTING_DOWN') this.noticeActive('The server is restarting; messages you send now go out when it is back.');
      else this.noticeActive(`${error.errorName}: ${error.message}`, 'error');
    });
    this.client.on('state', (change) => {
      const missed = change.state === 'connected' && change.resumed ? (change.missed ?? 0) : this.connection.resumedMissed;
      this.connection = {
        state: change.state,
        retryAt: change.delayMs !== undefined ? Date.now() + change.delayMs : change.state === 'reconnecting' ? this.connection.retryAt : undefined,
        resumedMissed: missed,
      };
      if (change.state === 'closed' && change.error) this.fatal = change.error;
      if (change.state === 'connected' && change.resumed) this.afterReconnect();
      this.changed();
    });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const listener of this.listeners) listener();
    });
  }

  get active(): Conversation | undefined {
    return this.activeKey === undefined ? undefined : this.conversations.get(this.activeKey);
  }

  /** Connects and logs in (rejects with the SDK's error), then opens the rooms the server put us in. */
  async connect(): Promise<void> {
    const identity = await this.client.connect();
    this.me = identity.name;
    this.kind = identity.kind;
    for (const summary of identity.rooms) {
      const conv = this.room(summary.name);
      conv.topic = summary.topic;
      void this.loadOlder(conv);
    }
    this.activeKey ??= this.sortedConversations()[0]?.key;
    this.refreshWho(identity.rooms.map((r) => r.name));
    this.changed();
  }

  /** The "reconnected" banner has been shown long enough. */
  dismissResumed(): void {
    this.connection = { ...this.connection, resumedMissed: undefined };
    this.changed();
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  isMe(name: string): boolean {
    return nameKey(name) === nameKey(this.me);
  }

  /** Rooms first, then direct conversations, each by name. */
  sortedConversations(): Conversation[] {
    const rank = { room: 0, all: 1, dm: 2 } as const;
    return [...this.conversations.values()].sort((a, b) => rank[a.kind] - rank[b.kind] || a.title.localeCompare(b.title, undefined, { sensitivity: 'base' }));
  }

  activate(key: string): void {
    const conv = this.conversations.get(key);
    if (!conv) return;
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
    return this.conversation(`room:${nameKey(name)}`, 'room', name);
  }

  dm(peer: string): Conversation {
    return this.conversation(`dm:${nameKey(peer)}`, 'dm', peer);
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
    }
    return conv;
  }

  /** Loads the page before the oldest message shown (the newest page when nothing is shown yet). */
  async loadOlder(conv: Conversation): Promise<void> {
    if (conv.history !== 'idle') return;
    conv.history = 'loading';
    this.changed();
    const before = conv.oldestSeq;
    try {
      const page = await this.client.history(conv.target, { ...(before === undefined ? {} : { before }), limit: HISTORY_PAGE });
      for (const message of page.messages) this.onMessage(message, false);
      const oldest = page.messages[0]?.seq;
      conv.history = oldest === undefined || oldest <= 1 ? 'done' : 'idle';
    } catch (error) {
      // A partner we never talked with has no history; a deleted room has none to give.
      conv.history = 'done';
      if (!(error instanceof ParleyClientError) || (error.errorName !== 'NO_SUCH_USER' && error.errorName !== 'NO_SUCH_ROOM')) {
        this.notice(conv, `Could not load history: ${describe(error)}`, 'error');
      }
    }
    this.changed();
  }

  /** Runs what was typed in the message box for the active conversation. */
  async submit(input: string): Promise<void> {
    const command = parseInput(input);
    const conv = this.active;
    try {
      await runInput(this, command, conv);
    } catch (error) {
      this.notice(conv ?? this.everyone(), describe(error), 'error');
    }
    this.changed();
  }

  /** Shows the message at once (as sending), then in its stored place once the server has it. */
  async send(conv: Conversation, text: string): Promise<void> {
    if (text.trim() === '') return;
    const item: TimelineMessage = { type: 'message', id: newId(), seq: undefined, from: this.me, text, ts: Date.now(), mine: true, status: 'pending' };
    conv.add(item);
    this.changed();
    try {
      const [receipt] = await this.client.send(conv.target, text);
      if (receipt) conv.confirm(item, receipt.seq);
    } catch (error) {
      item.status = 'failed';
      item.error = describe(error);
    }
    this.changed();
  }

  async join(name: string): Promise<void> {
    const joined = await this.client.join(name);
    const conv = this.room(joined.name);
    conv.target = joined.name;
    conv.topic = joined.topic;
    conv.joined = true;
    if (conv.history === 'done' && conv.items.length === 0) conv.history = 'idle';
    this.activate(conv.key);
    this.refreshWho([joined.name]);
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
    for (const conv of this.conversations.values()) {
      const self = conv.members.find((m) => this.isMe(m.name));
      if (self) conv.setMember({ ...self, status: away ? 'away' : 'online' });
    }
    this.changed();
  }

  private onMessage(message: ChatMessage, live: boolean): void {
    const mine = this.isMe(message.from);
    const conv = message.to === 'ALL' ? this.everyone() : message.to.startsWith('#') ? this.room(message.to) : this.dm(mine ? message.to : message.from);
    const added = conv.addStored({ type: 'message', id: `${message.conv}:${message.seq}`, seq: message.seq, from: message.from, text: message.text, ts: message.ts, mine, status: 'sent' });
    if (!added) return;
    if (live && !mine && (conv.key !== this.activeKey || document.hidden)) conv.unread += 1;
    this.changed();
  }

  private onJoin(room: string, user: string): void {
    const conv = this.room(room);
    if (this.isMe(user)) {
      conv.joined = true; // another of our connections joined it
    } else {
      conv.setMember({ name: user, status: 'online', kind: conv.members.find((m) => nameKey(m.name) === nameKey(user))?.kind ?? 'guest' });
      this.notice(conv, `${user} joined`);
    }
    this.refreshWho([room]);
  }

  private onPart(room: string, user: string, reason: string | undefined): void {
    const conv = this.room(room);
    if (this.isMe(user)) {
      conv.joined = false;
      conv.members = [];
      this.notice(conv, 'You left this room');
      return;
    }
    conv.removeMember(user);
    this.notice(conv, `${user} left${reason ? ` (${reason})` : ''}`);
  }

  private onPresence(user: string, status: MemberInfo['status']): void {
    let known = false;
    for (const conv of this.conversations.values()) {
      const member = conv.members.find((m) => nameKey(m.name) === nameKey(user));
      if (!member) continue;
      known = true;
      if (status === 'offline') conv.removeMember(user);
      else conv.setMember({ ...member, status });
    }
    // Someone who came online in a room we share (guests enter the default rooms unannounced).
    if (!known && status !== 'offline') this.refreshWho([...this.conversations.values()].filter((c) => c.kind === 'room' && c.joined).map((c) => c.target));
    this.changed();
  }

  private onNick(old: string, name: string): void {
    if (this.isMe(old)) this.me = name;
    for (const conv of this.conversations.values()) {
      const member = conv.members.find((m) => nameKey(m.name) === nameKey(old));
      if (member) {
        conv.removeMember(old);
        conv.setMember({ ...member, name });
        this.notice(conv, `${old} is now ${name}`);
      }
    }
    const dm = this.conversations.get(`dm:${nameKey(old)}`);
    if (dm && !this.conversations.has(`dm:${nameKey(name)}`)) {
      this.conversations.delete(dm.key);
      const renamed = this.dm(name);
      renamed.items = dm.items;
      for (const seq of dm.seqs) renamed.seqs.add(seq);
      renamed.unread = dm.unread;
      renamed.history = dm.history;
      if (this.activeKey === dm.key) this.activeKey = renamed.key;
      this.notice(renamed, `${old} is now ${name}`);
    }
    this.changed();
  }

  /** Re-reads member lists, batched: presence, joins and reconnects can come in bursts. */
  private refreshWho(rooms: string[]): void {
    for (const room of rooms) this.whoPending.add(room);
    if (this.whoTimer !== undefined) return;
    this.whoTimer = setTimeout(() => {
      this.whoTimer = undefined;
      const batch = [...this.whoPending];
      this.whoPending.clear();
      for (const room of batch) {
        this.client.request('who', { room }).then(
          ({ room: name, members }) => {
            this.room(name).members = [...members].sort(byName);
            this.changed();
          },
          () => undefined, // gone or not reachable now; the next event or reconnect asks again
        );
      }
    }, 50);
  }

  private afterReconnect(): void {
    const rooms = [...this.conversations.values()].filter((c) => c.kind === 'room' && c.joined).map((c) => c.target);
    this.refreshWho(rooms);
  }

  notice(conv: Conversation, text: string, tone: 'info' | 'error' = 'info'): void {
    conv.add({ type: 'notice', id: newId(), ts: Date.now(), text, tone });
    this.changed();
  }

  private noticeActive(text: string, tone: 'info' | 'error' = 'info'): void {
    const conv = this.active;
    if (conv) this.notice(conv, text, tone);
  }
}

export function describe(error: unknown): string {
  if (error instanceof ParleyClientError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
