import { foldChange, isChange, type ClientMessage } from '@parley/client';
import { foldName, TYPING_EXPIRES_MS, type ChatMessage } from '@parley/protocol';
import type { ChatStore } from './chat-store.ts';
import type { Conversation, TimelineMessage } from './conversation.ts';
import { describeError } from './describe-error.ts';
import { t } from './i18n/index.ts';

/** A typing notice is repeated at most this often while the person types (others forget it after TYPING_EXPIRES_MS, 6 s: two chances). */
const TYPING_REPEAT_MS = 3_000;
/** How long a message jumped to stays highlighted. */
const HIGHLIGHT_MS = 2_000;
/** Pages of history read back to find a reply's original before saying it is not loaded. */
const JUMP_PAGES = 5;

export interface ReplyTarget {
  key: string;
  seq: number;
  from: string;
  text: string;
}

/** The first line of a message, short, for quotes and the reply bar. */
export function snippet(text: string, max = 80): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Edits, deletions, replies, reactions, typing and read state in the web client, over the SDK's
 * methods (which route a change through the encryption where a send would go). Change messages
 * (kind edit/redact/react/unreact) are folded into the message they name with the SDK's
 * foldChange, the server's rules, so the live view is what a reload shows.
 */
export class Messaging {
  /** The message being edited inline, by conversation key and seq. */
  editing: { key: string; seq: number } | undefined;
  replying: ReplyTarget | undefined;
  /** The message a quote jumped to, highlighted for a moment. */
  highlight: string | undefined;
  /** `unread` has answered: read positions are the server's from now on. */
  readLoaded = false;
  private readonly byConvId = new Map<string, Conversation>();
  private typingSent: { key: string; at: number } | undefined;

  constructor(private readonly store: ChatStore) {
    const { client } = store;
    client.on('typing', ({ conv: id, user, on }) => {
      const conv = this.byId(id);
      if (!conv || store.isMe(user)) return;
      if (on) {
        conv.typing.set(user, Date.now() + TYPING_EXPIRES_MS);
        setTimeout(() => store.changed(), TYPING_EXPIRES_MS + 50);
      } else conv.typing.delete(user);
      store.changed();
    });
    client.on('read', ({ conv: id, seq }) => {
      const conv = this.byId(id);
      if (conv) this.readUpTo(conv, seq);
    });
    client.on('state', ({ state }) => {
      if (state === 'connected' && store.me !== '') void this.loadUnread();
    });
  }

  /** `conv`'s id on the server (a join's reply, a message, `unread`): typing and read events name it. */
  noteConvId(id: string, conv: Conversation): void {
    this.byConvId.set(id, conv);
  }

  private byId(id: string): Conversation | undefined {
    return this.byConvId.get(id) ?? [...this.store.conversations.values()].find((c) => c.conv === id);
  }

  /** Who is typing in `conv` now, for the line under the messages. */
  typists(conv: Conversation): string[] {
    const now = Date.now();
    for (const [user, until] of conv.typing) if (until <= now) conv.typing.delete(user);
    return [...conv.typing.keys()];
  }

  /** A message of `conv` arrived (live or in a page): knows its conversation id; returns true when it was a change, applied and not to be shown. */
  noteMessage(conv: Conversation, message: ClientMessage): boolean {
    this.byConvId.set(message.conv, conv);
    if (!isChange(message)) {
      if (conv.typing.delete(message.from)) this.store.changed();
      return false;
    }
    const target = message.ref === undefined ? undefined : conv.message(message.ref);
    if (target?.seq !== undefined) Object.assign(target, fold(target, message));
    return true;
  }

  /** Read positions and unread counts from the server (at login and after a reconnect). */
  async loadUnread(): Promise<void> {
    try {
      const list = await this.store.client.unread();
      for (const info of list) {
        const conv = this.store.conversations.get(`room:${foldName(info.with)}`) ?? [...this.store.conversations.values()].find((c) => c.conv === info.conv) ?? this.store.dm(info.with, false);
        if (!conv) continue;
        this.byConvId.set(info.conv, conv);
        conv.readSeq = Math.max(conv.readSeq, info.read);
        if (conv.key === this.store.activeKey && conv.divider === undefined && info.read < info.last) conv.divider = info.read;
        if (conv.key !== this.store.activeKey || document.hidden) conv.unread = info.unread;
      }
    } catch {
      // Unread counts are a convenience: the live counts stay.
    }
    this.readLoaded = true;
    this.store.changed();
  }

  /** `conv` was opened: the divider goes at its read position. */
  opened(conv: Conversation): void {
    conv.divider = this.readLoaded && conv.readSeq < conv.lastSeq ? conv.readSeq : undefined;
  }

  /** The newest message of the open conversation is in view (and the tab is visible): the server hears it, and so do our other devices. */
  seen(conv: Conversation): void {
    if (!this.readLoaded || conv.kind === 'all' || conv.lastSeq <= conv.readSeq) return;
    conv.readSeq = conv.lastSeq;
    conv.unread = 0;
    void this.store.client.markRead(conv.address, conv.lastSeq).catch(() => undefined);
  }

  /** Read up to `seq` (another device said so): the badge follows. */
  private readUpTo(conv: Conversation, seq: number): void {
    conv.readSeq = Math.max(conv.readSeq, seq);
    conv.unread = conv.items.filter((item) => item.type === 'message' && !item.mine && item.seq !== undefined && item.seq > conv.readSeq && !item.redacted).length;
    this.store.changed();
  }

  startEdit(conv: Conversation, seq: number | undefined): void {
    this.editing = seq === undefined ? undefined : { key: conv.key, seq };
    this.store.changed();
  }

  /** Our newest message here that can be edited (Up arrow in an empty composer). */
  lastEditable(conv: Conversation): TimelineMessage | undefined {
    for (let at = conv.items.length - 1; at >= 0; at -= 1) {
      const item = conv.items[at];
      if (item?.type === 'message' && item.mine && item.seq !== undefined && !item.redacted && !item.sealed && item.status === 'sent') return item;
    }
    return undefined;
  }

  async edit(conv: Conversation, message: TimelineMessage, text: string): Promise<void> {
    this.editing = undefined;
    if (message.seq === undefined || text.trim() === '' || text === message.text) return this.store.changed();
    const before = { text: message.text, edited: message.edited };
    Object.assign(message, { text, edited: Date.now() });
    this.store.changed();
    try {
      await this.store.client.edit(conv.address, message.seq, text);
    } catch (error) {
      Object.assign(message, before);
      this.store.notice(conv, describeError(error), 'error');
    }
  }

  /** Throws the server's refusal: the confirm dialog shows it. */
  async redact(conv: Conversation, message: TimelineMessage): Promise<void> {
    if (message.seq === undefined) return;
    await this.store.client.redact(conv.address, message.seq);
    const { edited: _edited, reactions: _reactions, ...rest } = message;
    const index = conv.items.indexOf(message);
    if (index !== -1) conv.items[index] = { ...rest, text: '', redacted: true };
    this.store.changed();
  }

  /** Adds our reaction `emoji`, or takes it back if we gave it. */
  async toggleReaction(conv: Conversation, message: TimelineMessage, emoji: string): Promise<void> {
    if (message.seq === undefined || emoji.trim() === '') return;
    const seq = message.seq;
    const given = message.reactions?.find((r) => r.emoji === emoji)?.users.some((user) => this.store.isMe(user)) ?? false;
    const change = { conv: conv.conv ?? '', seq: 0, from: this.store.me, to: conv.target, text: emoji, ts: Date.now(), kind: given ? ('unreact' as const) : ('react' as const), ref: seq };
    try {
      await (given ? this.store.client.unreact(conv.address, seq, emoji) : this.store.client.react(conv.address, seq, emoji));
      // Our own connection gets no event for our change: it is applied here once the server took it.
      const target = conv.message(seq);
      if (target) Object.assign(target, fold(target, change));
    } catch (error) {
      this.store.notice(conv, describeError(error), 'error');
    }
    this.store.changed();
  }

  reply(conv: Conversation, message: TimelineMessage | undefined): void {
    this.replying = message?.seq === undefined ? undefined : { key: conv.key, seq: message.seq, from: message.from, text: message.text };
    this.store.changed();
    if (message) document.getElementById('message-input')?.focus();
  }

  /** The reply to send with the next message typed in `conv`, taken. */
  takeReply(conv: Conversation): number | undefined {
    const reply = this.replying?.key === conv.key ? this.replying.seq : undefined;
    if (reply !== undefined) this.replying = undefined;
    return reply;
  }

  /** Scrolls to a reply's original, reading older pages for it; says so when it cannot be found. */
  async jumpTo(conv: Conversation, seq: number): Promise<void> {
    for (let page = 0; !conv.message(seq) && page < JUMP_PAGES && conv.history === 'idle'; page += 1) await this.store.loadOlder(conv);
    const target = conv.message(seq);
    if (!target) return this.store.notice(conv, t('msg.notLoaded'));
    this.highlight = target.id;
    this.store.changed();
    requestAnimationFrame(() => {
      const el = document.querySelector(`.log .msg[data-seq="${seq}"]`);
      el?.scrollIntoView({ block: 'center' });
      if (el instanceof HTMLElement) el.focus();
    });
    setTimeout(() => {
      if (this.highlight === target.id) this.highlight = undefined;
      this.store.changed();
    }, HIGHLIGHT_MS);
  }

  /** What is in the composer now: typing notices at most every TYPING_REPEAT_MS, "stopped" when it empties. */
  composing(conv: Conversation | undefined, text: string): void {
    if (!conv || conv.kind === 'all' || !conv.joined) return;
    const now = Date.now();
    const typing = text.trim() !== '' && !text.startsWith('/');
    if (!typing) return this.stopTyping();
    if (this.typingSent?.key === conv.key && now - this.typingSent.at < TYPING_REPEAT_MS) return;
    this.typingSent = { key: conv.key, at: now };
    void this.store.client.typing(conv.address, true).catch(() => undefined);
  }

  /** The message was sent, or the box emptied. */
  stopTyping(): void {
    const sent = this.typingSent;
    if (!sent) return;
    this.typingSent = undefined;
    const conv = this.store.conversations.get(sent.key);
    if (conv) void this.store.client.typing(conv.address, false).catch(() => undefined);
  }
}

/** A timeline message after a change, by the SDK's fold (the server's rules). */
function fold(message: TimelineMessage, change: ChatMessage): Partial<TimelineMessage> {
  const seq = message.seq ?? 0;
  const base: ChatMessage = { conv: change.conv, seq, from: message.from, to: change.to, text: message.text, ts: message.ts, ...pick(message) };
  const folded = foldChange(base, change);
  return { text: folded.text, edited: folded.edited, redacted: folded.redacted, reactions: folded.reactions };
}

function pick(message: TimelineMessage): Pick<ChatMessage, 'edited' | 'redacted' | 'reactions'> {
  return { ...(message.edited === undefined ? {} : { edited: message.edited }), ...(message.redacted ? { redacted: true as const } : {}), ...(message.reactions ? { reactions: message.reactions } : {}) };
}
