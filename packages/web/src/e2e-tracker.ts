import { ParleyClientError, type ClientEvents, type ClientMessage, type E2eOptions } from '@parley/client';
import { foldName, isRoomTarget } from '@parley/protocol';
import type { ChatStore } from './chat-store.ts';
import type { Conversation, ConversationE2e, HeldMessage, TimelineMessage } from './conversation.ts';
import type { E2eMode } from './e2e-session.ts';
import { RoomEncryption, type RoomSummaryEncryption } from './room-encryption.ts';

/**
 * `starting`: being set up (after each login); `ready`: DMs are end-to-end encrypted;
 * `other-tab` / `unavailable`: this tab has no end-to-end encryption; `conflict`: the account's
 * identity key on the server is another device's (import it, or reset); `removed`: another device
 * removed this one; `failed`: setting up failed otherwise (`failure` says why).
 */
export type E2eStatus = 'starting' | 'ready' | 'other-tab' | 'unavailable' | 'conflict' | 'removed' | 'failed';

/**
 * What a conversation's indicator says. `room`: a plain room or Everyone (the server reads it);
 * `sealed`: an encrypted room in a tab without end-to-end encryption, which can neither read nor
 * write there. An encrypted room is `encrypted`, as an encrypted DM is, without a verification
 * (that is for people: each member's devices are checked as the SDK adds them).
 */
export type EncryptionShown = 'encrypted' | 'unencrypted' | 'elsewhere' | 'unknown' | 'room' | 'sealed';

/** Statuses in which this tab cannot encrypt until the person does something (import, reset, set up again). */
const STUCK: ReadonlySet<E2eStatus> = new Set(['conflict', 'removed', 'failed']);

/** The indicator of one conversation from what this tab knows: pure, so each case is tested (e2e-tracker.test.ts). */
export function encryptionShown(input: { kind: Conversation['kind']; active: boolean; dm: ConversationE2e['encryption']; roomEncrypted: boolean }): EncryptionShown {
  const { kind, active } = input;
  if (kind === 'all') return 'room';
  if (kind === 'room') return input.roomEncrypted ? (active ? 'encrypted' : 'sealed') : 'room';
  if (!active) return 'elsewhere';
  return input.dm ?? 'unknown';
}

/**
 * The web client's view of end-to-end encryption: whether this tab has it, each direct
 * conversation's encryption and verification (re-read from the SDK when something may have
 * changed them), which rooms are encrypted (room-encryption.ts), the lines for messages that
 * could not be decrypted, and the route a typed DM takes (encrypted, held for the person's
 * choice, or unencrypted because they chose so).
 */
export class E2eTracker {
  status: E2eStatus;
  failure: string | undefined;
  private readonly rooms: RoomEncryption;
  /** Lines for messages of conversations whose id this page does not know yet. */
  private readonly pending = new Map<string, (TimelineMessage & { seq: number })[]>();
  /** Bumped by an identity change: a directory read that started before it must not undo it. */
  private readonly generation = new WeakMap<Conversation, number>();

  constructor(
    private readonly store: ChatStore,
    input: { mode: E2eMode; options: E2eOptions | undefined },
    private readonly changed: () => void,
  ) {
    this.status = input.options ? 'starting' : input.mode === 'other-tab' ? 'other-tab' : 'unavailable';
    this.rooms = new RoomEncryption(changed);
    const { client } = store;
    client.on('e2e_ready', () => {
      this.status = 'ready';
      this.failure = undefined;
      // A reset happens once: a reconnect must not reset what another device of the account may have reset since.
      if (input.options) delete input.options.resetIdentity;
      for (const conv of store.conversations.values()) void this.refresh(conv);
      changed();
    });
    client.on('state', ({ state }) => {
      if (state !== 'connected' && this.status === 'ready') this.status = 'starting';
      // Each login lists the rooms it is in, with their encryption: a room switched while this tab was away.
      if (state === 'connected') for (const room of client.identity?.rooms ?? []) this.rooms.noteSummary(room);
    });
    // The SDK's word (it also learns from a plaintext send the server refused); a tab without e2e has no SDK part and hears the notices below.
    client.on('e2e_room', ({ room, encrypted }) => this.rooms.note(room, encrypted));
    client.on('notice', ({ kind, room, modes }) => {
      if (kind === 'mode' && room !== undefined && modes) this.rooms.noteModes(room, modes);
    });
    // Made again under this name, a room starts plain: its join reply will say.
    client.on('room_deleted', ({ room }) => this.rooms.note(room, false));
    client.on('e2e_error', (event) => this.onError(event));
    client.on('identity_changed', ({ user, user_id }) => {
      const conv = this.dmOf(user, user_id);
      if (!conv) return;
      this.generation.set(conv, (this.generation.get(conv) ?? 0) + 1);
      conv.e2e = { ...conv.e2e, verification: 'changed' };
      changed();
    });
    client.on('e2e_devices', ({ user, user_id }) => {
      const conv = this.dmOf(user, user_id);
      if (conv) void this.refresh(conv);
    });
  }

  /** Whether this tab encrypts DMs (it may still be setting up): not without end-to-end encryption, nor while it is stuck. */
  get active(): boolean {
    return this.store.client.e2e !== undefined && !STUCK.has(this.status);
  }

  shown(conv: Conversation): EncryptionShown {
    return encryptionShown({ kind: conv.kind, active: this.active, dm: conv.e2e.encryption, roomEncrypted: conv.kind === 'room' && this.rooms.has(conv.target) });
  }

  /** What the server said about a room: a login's summary, a `join` or `create` reply. */
  noteRoom(summary: RoomSummaryEncryption): void {
    this.rooms.noteSummary(summary);
  }

  /** A `mode` reply to this tab (the server sends the change's notice to the other members only). */
  noteModes(room: string, modes: { encrypted: boolean }): void {
    this.rooms.noteModes(room, modes);
  }

  /** Where a message that came in the clear is marked "Not encrypted": a DM, and an encrypted room (its messages from before the switch). */
  marksUnencrypted(conv: Conversation): boolean {
    return conv.kind === 'dm' || (conv.kind === 'room' && this.rooms.has(conv.target));
  }

  /** Reads a DM's encryption and verification from the SDK (the directory and the pinned keys). */
  async refresh(conv: Conversation): Promise<void> {
    const e2e = this.store.client.e2e;
    if (conv.kind !== 'dm' || !e2e) return;
    const started = this.generation.get(conv) ?? 0;
    try {
      const [encryption, verification] = await Promise.all([e2e.conversationEncryption(conv.target), e2e.verification(conv.target)]);
      if ((this.generation.get(conv) ?? 0) !== started) return;
      conv.e2e = { encryption, verification };
      this.changed();
    } catch {
      // A guest who left, or the connection: the indicator stays as it was.
    }
  }

  /** A message as the timeline shows it (a group change, `mls_commit`, never gets here: it is not a message). */
  present(message: ClientMessage, conv: Conversation): Pick<TimelineMessage, 'text' | 'kind' | 'encrypted' | 'sealed'> {
    // A tab without end-to-end encryption gets the ciphertext as it is.
    if (message.kind === 'mls') return { text: '', encrypted: true, sealed: 'elsewhere' };
    if (message.undecryptable) return { text: '', encrypted: true, sealed: 'undecryptable' };
    if (message.encrypted && conv.kind === 'dm' && conv.e2e.encryption === undefined) conv.e2e = { ...conv.e2e, encryption: 'encrypted' };
    return { text: message.text, ...(message.kind ? { kind: message.kind } : {}), ...(message.encrypted ? { encrypted: true as const } : {}) };
  }

  /** Whether a send in `conv` is end-to-end encrypted by the SDK: a DM, or an encrypted room (the SDK goes by the same summaries and notices). */
  encrypts(conv: Conversation): boolean {
    return this.active && (conv.kind === 'dm' || (conv.kind === 'room' && this.rooms.has(conv.target)));
  }

  /**
   * Holds a DM back when it could only go unencrypted and the person has not chosen that here:
   * the other person has no device keys, or this tab has no encryption. Returns true when the
   * message is taken care of (held, or sent unencrypted as chosen).
   */
  holds(conv: Conversation, message: Omit<HeldMessage, 'reason'>): boolean {
    if (conv.kind !== 'dm') return false;
    if (this.active) {
      if (conv.e2e.encryption !== 'unencrypted' || conv.plaintextChosen) return false;
      conv.held = { ...message, reason: 'no-keys' };
      return true;
    }
    if (conv.plaintextChosen) void this.store.send(conv, message.text, { ...(message.kind ? { kind: message.kind } : {}), plaintext: true });
    else conv.held = { ...message, reason: 'no-e2e' };
    return true;
  }

  /**
   * A DM the SDK refused: without keys it is held (or sent unencrypted, as chosen). Returns true
   * when handled so. A room that refused plaintext (this tab has no encryption, and had not heard)
   * is encrypted: the message stays failed with the sentence, and the message box says so from now on.
   */
  refused(conv: Conversation, input: { item: TimelineMessage; error: unknown }): boolean {
    const { item, error } = input;
    if (!(error instanceof ParleyClientError)) return false;
    if (conv.kind === 'room' && error.errorName === 'E2E_ROOM_ENCRYPTED') this.rooms.note(conv.target, true);
    if (conv.kind !== 'dm') return false;
    if (error.errorName === 'E2E_PEER_IDENTITY_CHANGED') conv.e2e = { ...conv.e2e, verification: 'changed' };
    if (error.errorName !== 'E2E_PEER_UNENCRYPTED') return false;
    conv.remove(item);
    conv.e2e = { ...conv.e2e, encryption: 'unencrypted' };
    const kind = item.kind === 'action' ? { kind: 'action' as const } : {};
    if (conv.plaintextChosen) void this.store.send(conv, item.text, { ...kind, plaintext: true });
    else conv.held = { text: item.text, ...kind, reason: 'no-keys' };
    return true;
  }

  /** The person chose to send the held message unencrypted (and so the next ones here, while the other person has no keys). */
  sendHeld(conv: Conversation): void {
    const held = conv.held;
    if (!held) return;
    conv.held = undefined;
    conv.plaintextChosen = true;
    void this.store.send(conv, held.text, { ...(held.kind ? { kind: held.kind } : {}), plaintext: true });
  }

  /** The person did not want it unencrypted: its text goes back to them. */
  dropHeld(conv: Conversation): string {
    const text = conv.held?.text ?? '';
    conv.held = undefined;
    this.changed();
    return text;
  }

  /** `shown`: the safety number the person compared; refused if the key changed since it was shown. */
  async markVerified(conv: Conversation, shown: string): Promise<void> {
    await this.store.client.e2e?.markVerified(conv.target, shown);
    await this.refresh(conv);
  }

  /** "I have checked the new safety number": the changed identity key is accepted, sends go again. */
  async acceptIdentity(conv: Conversation): Promise<void> {
    await this.store.client.e2e?.acceptIdentity(conv.target);
    this.generation.set(conv, (this.generation.get(conv) ?? 0) + 1);
    conv.e2e = { ...conv.e2e, verification: 'unverified' };
    await this.refresh(conv);
  }

  /** The page learnt a DM's conversation id, or shows a room (whose id is its folded name): lines that waited for it go in. */
  noteConversation(conv: Conversation): void {
    const id = conv.kind === 'room' ? foldName(conv.target) : conv.conv;
    const lines = id === undefined ? undefined : this.pending.get(id);
    if (!lines || id === undefined) return;
    this.pending.delete(id);
    for (const line of lines) conv.addStored(line);
  }

  private onError(event: ClientEvents['e2e_error']): void {
    if (event.conv === undefined) return this.onSetupError(event);
    if (event.seq === undefined) return;
    const id = event.conv;
    const conv = isRoomTarget(id) ? this.store.conversations.get(`room:${id}`) : [...this.store.conversations.values()].find((c) => c.kind === 'dm' && c.conv === id);
    // A device of someone whose identity changed: the banner says it, a line per refused commit would not help.
    if (conv?.e2e.verification === 'changed' && event.code === 'E2E_BAD_CREDENTIAL') return;
    const line: TimelineMessage & { seq: number } = {
      type: 'message',
      id: `${event.conv}:${event.seq}`,
      seq: event.seq,
      from: '',
      text: '',
      ts: Date.now(),
      mine: false,
      status: 'sent',
      sealed: 'undecryptable',
      error: event.code,
    };
    if (conv) {
      conv.addStored(line);
      this.changed();
    } else {
      this.pending.set(event.conv, [...(this.pending.get(event.conv) ?? []), line]);
    }
  }

  private onSetupError(event: ClientEvents['e2e_error']): void {
    if (event.code === 'E2E_IDENTITY_CHANGED') {
      // Said by the banner, whose button opens the import/reset dialog: rooms work meanwhile.
      this.status = 'conflict';
    } else if (event.code === 'E2E_DEVICE_REMOVED') {
      this.status = 'removed';
    } else if (this.status !== 'ready') {
      this.status = 'failed';
      this.failure = event.message;
    }
    this.changed();
  }

  private dmOf(user: string, userId: string): Conversation | undefined {
    const byName = this.store.dm(user, false);
    if (byName) return byName;
    return [...this.store.conversations.values()].find((c) => c.kind === 'dm' && c.conv !== undefined && c.conv.split(':').slice(1).includes(userId) && !this.store.isMe(c.target));
  }
}
