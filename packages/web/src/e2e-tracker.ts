import { ParleyClientError, type ClientEvents, type ClientMessage, type E2eOptions } from '@parley/client';
import type { ChatStore } from './chat-store.ts';
import type { Conversation, HeldMessage, TimelineMessage } from './conversation.ts';
import type { E2eMode } from './e2e-session.ts';

/**
 * `starting`: being set up (after each login); `ready`: DMs are end-to-end encrypted;
 * `other-tab` / `unavailable`: this tab has no end-to-end encryption; `conflict`: the account's
 * identity key on the server is another device's (import it, or reset); `removed`: another device
 * removed this one; `failed`: setting up failed otherwise (`failure` says why).
 */
export type E2eStatus = 'starting' | 'ready' | 'other-tab' | 'unavailable' | 'conflict' | 'removed' | 'failed';

/** What a conversation's indicator says: a room's is always `room` (the server reads it). */
export type EncryptionShown = 'encrypted' | 'unencrypted' | 'elsewhere' | 'unknown' | 'room';

/** Statuses in which this tab cannot encrypt until the person does something (import, reset, set up again). */
const STUCK: ReadonlySet<E2eStatus> = new Set(['conflict', 'removed', 'failed']);

/**
 * The web client's view of end-to-end encryption: whether this tab has it, each direct
 * conversation's encryption and verification (re-read from the SDK when something may have
 * changed them), the lines for messages that could not be decrypted, and the route a typed DM
 * takes (encrypted, held for the person's choice, or unencrypted because they chose so).
 */
export class E2eTracker {
  status: E2eStatus;
  failure: string | undefined;
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
    });
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
    if (conv.kind !== 'dm') return 'room';
    if (!this.active) return 'elsewhere';
    return conv.e2e.encryption ?? 'unknown';
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

  /** Whether a send in `conv` is end-to-end encrypted by the SDK. */
  encrypts(conv: Conversation): boolean {
    return conv.kind === 'dm' && this.active;
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

  /** A DM the SDK refused: without keys it is held (or sent unencrypted, as chosen). Returns true when handled so. */
  refused(conv: Conversation, input: { item: TimelineMessage; error: unknown }): boolean {
    const { item, error } = input;
    if (conv.kind !== 'dm' || !(error instanceof ParleyClientError)) return false;
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

  async markVerified(conv: Conversation): Promise<void> {
    await this.store.client.e2e?.markVerified(conv.target);
    await this.refresh(conv);
  }

  /** "I have checked the new safety number": the changed identity key is accepted, sends go again. */
  async acceptIdentity(conv: Conversation): Promise<void> {
    await this.store.client.e2e?.acceptIdentity(conv.target);
    this.generation.set(conv, (this.generation.get(conv) ?? 0) + 1);
    conv.e2e = { ...conv.e2e, verification: 'unverified' };
    await this.refresh(conv);
  }

  /** The page learnt a DM's conversation id: lines that waited for it go in. */
  noteConversation(conv: Conversation): void {
    const id = conv.conv;
    const lines = id === undefined ? undefined : this.pending.get(id);
    if (!lines || id === undefined) return;
    this.pending.delete(id);
    for (const line of lines) conv.addStored(line);
  }

  private onError(event: ClientEvents['e2e_error']): void {
    if (event.conv === undefined) return this.onSetupError(event);
    if (event.seq === undefined) return;
    const conv = [...this.store.conversations.values()].find((c) => c.kind === 'dm' && c.conv === event.conv);
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
