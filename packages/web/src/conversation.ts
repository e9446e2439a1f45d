import { foldName, type MessageKind, type Reaction, type RoomMemberInfo } from '@parley/protocol';
import { t } from './i18n/index.ts';

export type ConversationKind = 'room' | 'dm' | 'all';

export interface TimelineMessage {
  type: 'message';
  id: string;
  /** Undefined while our own send waits for the server's receipt. */
  seq: number | undefined;
  from: string;
  text: string;
  ts: number;
  mine: boolean;
  /** "action" for /me: drawn as "* alice waves". */
  kind?: MessageKind;
  /**
   * `pending`: our send, waiting for the server's receipt; `waiting`: the server has it, but the
   * room's home (another server, `waitingFor`) has not taken it yet (a receipt with `pending`).
   */
  status: 'sent' | 'pending' | 'waiting' | 'failed';
  /** The server the message waits for, while `waiting`. */
  waitingFor?: string;
  /** Our own message's client message id: a waiting one is matched by it when it is stored. */
  cmid?: string;
  error?: string;
  /** It came, or went, end-to-end encrypted. A DM's message without it is marked as not encrypted. */
  encrypted?: true;
  /**
   * Its text is not readable here: `undecryptable` (this device could not decrypt it; `error` is
   * the code), `elsewhere` (an encrypted message in a tab without end-to-end encryption).
   */
  sealed?: 'undecryptable' | 'elsewhere';
  /** A reply: the seq of the message it answers. */
  reply?: number;
  /** Edited, last at this time (ms). */
  edited?: number;
  /** Deleted: drawn as a tombstone. */
  redacted?: true;
  reactions?: Reaction[];
}

/** A message the composer held back: the person has no device keys (or this tab no encryption); it goes only if the person says so. */
export interface HeldMessage {
  text: string;
  kind?: 'action';
  reason: 'no-keys' | 'no-e2e';
}

/** What this tab knows about a direct conversation's end-to-end encryption. */
export interface ConversationE2e {
  /** `encrypted`: the other person has device keys, so messages are end-to-end encrypted. */
  encryption?: 'encrypted' | 'unencrypted';
  verification?: 'unverified' | 'verified' | 'changed';
}

/** A line the client adds itself: joins, topic changes, command output, errors. */
export interface TimelineNotice {
  type: 'notice';
  id: string;
  ts: number;
  text: string;
  tone: 'info' | 'error';
  /** An invitation's room: the notice offers to join it. */
  join?: string;
}

export type TimelineItem = TimelineMessage | TimelineNotice;

let nextLocalId = 1;
/** An id for a line this tab adds (a send not stored yet, a notice). */
export const localId = (): string => `local-${nextLocalId++}`;

/**
 * One room, direct-message partner, or the ALL broadcast, as the sidebar and message list show
 * it. Messages are kept in seq order and each seq once: history pages, live events and replays
 * after a reconnect may overlap, and `seqs` drops the repeats.
 */
export class Conversation {
  items: TimelineItem[] = [];
  readonly seqs = new Set<number>();
  unread = 0;
  topic = '';
  members: RoomMemberInfo[] = [];
  /** False after we left the room or it was deleted: kept readable, no longer sendable. */
  joined = true;
  /** Set while we are muted in this room (who did it and why, when the server said): the composer says so instead of failing every send. */
  muted: { by?: string; reason?: string } | undefined;
  history: 'idle' | 'loading' | 'done' = 'idle';
  /** A direct conversation's id on the server, once known: history by id still works after a guest peer left. */
  conv: string | undefined = undefined;
  /** The newest seq known here, shown or not (a listed conversation whose history is not loaded yet). */
  lastSeq = 0;
  /** A direct conversation's encryption, as far as this tab knows it (e2e-tracker.ts). */
  e2e: ConversationE2e = {};
  /** A message waiting for the person's choice to send it unencrypted. */
  held: HeldMessage | undefined;
  /** The person chose to send unencrypted here (for this visit): later messages go the same way while the other person has no keys. */
  plaintextChosen = false;
  /** This account's read position here (the server's, from `unread` and `read` events). */
  readSeq = 0;
  /** Where the "new messages" divider goes: after this seq, as read when the conversation was opened. */
  divider: number | undefined;
  /** Who is typing here, until when (ms). */
  readonly typing = new Map<string, number>();

  constructor(
    readonly key: string,
    readonly kind: ConversationKind,
    /** What `send` and `history` take: "#room", the partner's name, or "ALL". */
    public target: string,
  ) {}

  get title(): string {
    return this.kind === 'all' ? t('conv.everyone') : this.target;
  }

  /**
   * What `send` and `history` take: a direct conversation's id once known (it names the person
   * it was with, even after a guest left and someone else took the name), else the target.
   */
  get address(): string {
    return this.kind === 'dm' && this.conv !== undefined ? this.conv : this.target;
  }

  /** The oldest seq shown or read (a page of group changes shows nothing), for `history({ before })`. */
  get oldestSeq(): number | undefined {
    for (const item of this.items) if (item.type === 'message' && item.seq !== undefined) return this.oldestRead === undefined ? item.seq : Math.min(item.seq, this.oldestRead);
    return this.oldestRead;
  }

  /** The oldest seq of a history page read here, shown or not. */
  oldestRead: number | undefined;

  /** Our send that waits for its room's home to take it, by its client message id. */
  waiting(cmid: string): TimelineMessage | undefined {
    return this.items.find((item): item is TimelineMessage => item.type === 'message' && item.status === 'waiting' && item.cmid === cmid);
  }

  /**
   * Inserts a stored message at its seq position; returns false for a seq already shown. One of
   * ours that was waiting for its room's home (seen now in history, say) takes the waiting line's place.
   */
  addStored(message: TimelineMessage & { seq: number }): boolean {
    const waiting = message.cmid === undefined ? undefined : this.waiting(message.cmid);
    if (waiting) this.remove(waiting);
    if (this.seqs.has(message.seq)) return this.replaceSealed(message);
    this.seqs.add(message.seq);
    if (message.seq > this.lastSeq) this.lastSeq = message.seq;
    const items = this.items;
    let newest = -1;
    for (const item of items) if (item.type === 'message' && item.seq !== undefined && item.seq > newest) newest = item.seq;
    if (message.seq > newest) {
      // Newest so far: at the end, above our own messages still waiting for a receipt.
      let at = items.length;
      while (at > 0 && isPending(items[at - 1])) at -= 1;
      items.splice(at, 0, message);
      return true;
    }
    const at = items.findIndex((item) => item.type === 'message' && item.seq !== undefined && item.seq > message.seq);
    items.splice(at === -1 ? items.length : at, 0, message);
    return true;
  }

  /** A line "could not be decrypted" at this seq gives way to the message itself (read after all, or from the archive). */
  private replaceSealed(message: TimelineMessage & { seq: number }): boolean {
    const at = this.items.findIndex((item) => item.type === 'message' && item.seq === message.seq);
    const old = this.items[at];
    if (old?.type !== 'message' || old.sealed !== 'undecryptable' || message.sealed !== undefined) return false;
    this.items.splice(at, 1, message);
    return true;
  }

  /** The stored message at `seq`, if shown here. */
  message(seq: number): TimelineMessage | undefined {
    return this.items.find((item): item is TimelineMessage => item.type === 'message' && item.seq === seq);
  }

  /** Takes an item out (a send held back for the person's choice). */
  remove(item: TimelineItem): void {
    const index = this.items.indexOf(item);
    if (index !== -1) this.items.splice(index, 1);
  }

  /** Our own send was stored: it moves to its seq position (or goes away if the seq is already shown). */
  confirm(message: TimelineMessage, seq: number): void {
    const index = this.items.indexOf(message);
    if (index !== -1) this.items.splice(index, 1);
    const { waitingFor: _waitingFor, ...rest } = message;
    this.addStored({ ...rest, seq, status: 'sent' });
  }

  /** Continues `previous` under this key (a direct-message partner was renamed): its timeline, unread count and history position. */
  takeOver(previous: Conversation): void {
    this.items = previous.items;
    for (const seq of previous.seqs) this.seqs.add(seq);
    this.unread = previous.unread;
    this.history = previous.history;
    this.conv = previous.conv;
    this.lastSeq = previous.lastSeq;
    this.e2e = previous.e2e;
    this.held = previous.held;
    this.plaintextChosen = previous.plaintextChosen;
    this.oldestRead = previous.oldestRead;
    this.readSeq = previous.readSeq;
  }

  add(item: TimelineItem): void {
    this.items.push(item);
  }

  setMember(member: RoomMemberInfo): void {
    const key = foldName(member.name);
    const others = this.members.filter((m) => foldName(m.name) !== key);
    this.members = [...others, member].sort(byName);
  }

  removeMember(name: string): boolean {
    const before = this.members.length;
    this.members = this.members.filter((m) => foldName(m.name) !== foldName(name));
    return this.members.length !== before;
  }

  hasMember(name: string): boolean {
    return this.members.some((m) => foldName(m.name) === foldName(name));
  }
}

function isPending(item: TimelineItem | undefined): boolean {
  return item?.type === 'message' && item.status !== 'sent';
}

export function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name, undefined, { sensitivity: 'base' });
}
