import { foldName, isRoomTarget, type ChatMessage, type CommandArgs, type CommandLine, type ReplyData, type UnreadInfo, type Verb } from '@parley/protocol';
import type { E2eClient, SendOptions } from './e2e/e2e-client.ts';
import type { ClientReceipt } from './pending-sends.ts';
import { Emitter } from './emitter.ts';
import { ParleyClientError } from './errors.ts';
import { newCmid } from './outbox.ts';
import type { ClientEvents, ClientState, Identity } from './types.ts';

/**
 * The change's own seq (`seq`, 0 for a reaction that changed nothing) and the message it is
 * about (`ref`); `change`, the event as the conversation's other people get it, for the
 * application to apply to its own view (applyChange): like a send, a change made here comes
 * back as no `message` event.
 */
export type ChangeReceipt = ReplyData['edit'] & { change: ChatMessage };

/** The server's `search` filters: `in` one conversation, `from` one person, between times (ms), at most `limit` results. */
export type SearchFilters = Omit<CommandArgs<'search'>, 'words'>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const isError = (error: unknown, ...names: string[]) => error instanceof ParleyClientError && names.includes(error.errorName);

/** A change that met a lost connection, a timeout or a rate limit is tried again this often before its error is the caller's. */
const CHANGE_ATTEMPTS = 5;

/**
 * Edits, redactions, reactions, typing and read state: ParleyClient's methods for them
 * (docs/client.md, "Edits, reactions, typing and read state"), over its public API alone
 * (`request`, `state`, `e2e`), apart from the connection's machinery in client.ts. A change goes where a send to the same target
 * goes: inside the encryption for a person or an encrypted room (`e2e.handles`, ESEND with
 * `ref`), else the plaintext verb. A redaction is always the plaintext verb: it carries no
 * content, and a moderator who cannot decrypt may send it.
 *
 * Retried changes are stored once: an edit keeps its cmid, the server stores a reaction someone
 * already gave as nothing, a redaction keeps its cmid, and encrypted ones go under a cmid like
 * sends.
 */
export abstract class MessagingClient extends Emitter<ClientEvents> {
  abstract readonly state: ClientState;
  abstract readonly e2e: E2eClient | undefined;
  abstract readonly identity: Identity | undefined;
  abstract request<TVerb extends Verb>(cmd: TVerb, args: CommandArgs<TVerb>): Promise<ReplyData[TVerb]>;
  abstract send(to: string | string[], text: string, options?: SendOptions): Promise<ClientReceipt[]>;
  /** Read positions waiting for a connection: the latest per conversation. */
  private readonly unsentReads = new Map<string, { to: string; seq: number }>();

  constructor() {
    super();
    this.on('state', ({ state }) => {
      if (state === 'connected') this.flushReads();
      else if (state === 'closed') this.unsentReads.clear();
    });
  }

  /** A new version of your message `seq`, encrypted where a send to `to` would be. */
  edit(to: string, seq: number, text: string): Promise<ChangeReceipt> {
    const cmid = newCmid();
    return this.change(to, { kind: 'edit', ref: seq, text }, () => this.retried(() => this.request('edit', { to, seq, text, cmid })));
  }

  /** Deletes a message: yours, or anyone's in a room you moderate; in an encrypted conversation too. */
  async redact(to: string, seq: number, reason?: string): Promise<ChangeReceipt> {
    // A retried redaction is stored once (its cmid), like an edit.
    const cmid = newCmid();
    const receipt = await this.retried(() => this.request('redact', { to, seq, cmid, ...(reason === undefined ? {} : { reason }) }));
    // This connection gets no event for its own redaction: this device's archive forgets it now.
    this.e2e?.redacted(receipt.conv, seq);
    return this.withChange(receipt, { kind: 'redact', text: reason ?? '' });
  }

  react(to: string, seq: number, emoji: string): Promise<ChangeReceipt> {
    return this.reaction(to, seq, { emoji, remove: false });
  }

  /** Takes back your reaction `emoji`. */
  unreact(to: string, seq: number, emoji: string): Promise<ChangeReceipt> {
    return this.reaction(to, seq, { emoji, remove: true });
  }

  private reaction(to: string, seq: number, { emoji, remove }: { emoji: string; remove: boolean }): Promise<ChangeReceipt> {
    const change = { kind: remove ? ('unreact' as const) : ('react' as const), ref: seq, text: emoji };
    return this.change(to, change, () => this.retried(() => this.request('react', { to, seq, emoji, ...(remove ? { remove } : {}) })));
  }

  /**
   * You are typing in `to` (`on`), or stopped; repeat it while typing (others forget it after
   * TYPING_EXPIRES_MS). Dropped (resolves) while disconnected: it would be stale by the time a
   * connection is back.
   */
  async typing(to: string, on = true): Promise<void> {
    if (this.state !== 'connected') return;
    try {
      await this.request('typing', { to, on });
    } catch (error) {
      if (!isError(error, 'DISCONNECTED', 'TIMEOUT', 'CLOSED')) throw error;
    }
  }

  /**
   * Read up to `seq` (your other devices hear it): the server's position after it (it only
   * rises); undefined when there is no connection: then the latest position per conversation is
   * sent once the client is connected again.
   */
  async markRead(to: string, seq: number): Promise<ReplyData['read'] | undefined> {
    if (this.state !== 'connected') {
      this.keepRead(to, seq);
      return undefined;
    }
    try {
      return await this.request('read', { to, seq });
    } catch (error) {
      if (!isError(error, 'DISCONNECTED', 'TIMEOUT')) throw error;
      this.keepRead(to, seq);
      return undefined;
    }
  }

  /**
   * Runs a typed command line as `parseCommandLine` (from @parley/protocol) read it: a send goes
   * through the outbox like `send` (a client message id, never stored twice), an edit, reaction
   * or redaction through its method (encrypted where a send would be), everything else is a
   * request. The server validates the arguments, as it does for every frame.
   */
  async runLine(line: CommandLine): Promise<{ verb: Verb; data: unknown }> {
    if (line.verb === 'send') {
      const { to, text, kind, reply } = line.args as CommandArgs<'send'>;
      return { verb: 'send', data: { sent: await this.send(to, text, { ...(kind === 'action' ? { kind } : {}), ...(reply === undefined ? {} : { reply }) }) } };
    }
    const change = this.changeLine(line);
    if (change) return { verb: line.verb, data: await change };
    return { verb: line.verb, data: await this.request(line.verb, line.args as never) };
  }

  /**
   * For runLine: a typed EDIT, REACT, UNREACT or REDACT line goes through these methods (so
   * through the encryption where a send would); undefined for every other verb. The server
   * validates the arguments as for any frame.
   */
  protected changeLine(line: CommandLine): Promise<ChangeReceipt> | undefined {
    if (line.verb === 'edit') {
      const { to, seq, text } = line.args as CommandArgs<'edit'>;
      return this.edit(to, seq, text);
    }
    if (line.verb === 'react') {
      const { to, seq, emoji, remove } = line.args as CommandArgs<'react'>;
      return remove ? this.unreact(to, seq, emoji) : this.react(to, seq, emoji);
    }
    if (line.verb === 'redact') {
      const { to, seq, reason } = line.args as CommandArgs<'redact'>;
      return this.redact(to, seq, reason);
    }
    return undefined;
  }

  /** Read position and unread count of each of your conversations. */
  async unread(): Promise<UnreadInfo[]> {
    return (await this.request('unread', {})).conversations;
  }

  /** The server's search: plaintext conversations only (e2e.search looks through this device's encrypted ones). */
  async search(words: string, filters: SearchFilters = {}): Promise<ChatMessage[]> {
    return (await this.request('search', { words, ...filters })).results;
  }

  private keepRead(to: string, seq: number): void {
    const key = to.startsWith('dm:') ? to : foldName(to);
    const kept = this.unsentReads.get(key);
    if (!kept || kept.seq < seq) this.unsentReads.set(key, { to, seq });
  }

  private flushReads(): void {
    const reads = [...this.unsentReads.values()];
    this.unsentReads.clear();
    // Best effort: a conversation left meanwhile refuses it, and a later markRead says more.
    for (const { to, seq } of reads) void this.markRead(to, seq).catch(() => undefined);
  }

  /** Through the encryption where a send to `to` would be; the plaintext verb (`plain`) otherwise. */
  /** The receipt with the event the others got (what this client applies to its own view). */
  private withChange(receipt: ReplyData['edit'], change: { kind: 'edit' | 'redact' | 'react' | 'unreact'; text: string }): ChangeReceipt {
    const { conv, seq, to, ref } = receipt;
    return { ...receipt, change: { conv, seq, from: this.identity?.name ?? '', to, ts: Date.now(), text: change.text, kind: change.kind, ref } };
  }

  private async change(to: string, change: { kind: 'edit' | 'react' | 'unreact'; ref: number; text: string }, plain: () => Promise<ReplyData['edit']>): Promise<ChangeReceipt> {
    return this.withChange(await this.route(to, change, plain), change);
  }

  private async route(to: string, change: { kind: 'edit' | 'react' | 'unreact'; ref: number; text: string }, plain: () => Promise<ReplyData['edit']>): Promise<ReplyData['edit']> {
    const { e2e } = this;
    if (e2e?.handles(to, {})) {
      try {
        return await e2e.sendChange(to, change);
      } catch (error) {
        // A person without device keys: the conversation is plaintext. (If the message was
        // encrypted, the server refuses the plaintext change: E2E_ROOM_ENCRYPTED.)
        if (!isError(error, 'E2E_PEER_UNENCRYPTED')) throw error;
        return plain();
      }
    }
    try {
      return await plain();
    } catch (error) {
      // A room turned encrypted since this client last heard: learn it, then go through the encryption.
      if (!e2e || !isRoomTarget(to) || !isError(error, 'E2E_ROOM_ENCRYPTED')) throw error;
      await e2e.learnRooms([to]);
      if (!e2e.handles(to, {})) throw error;
      return e2e.sendChange(to, change);
    }
  }

  private async retried<T>(request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        if (attempt >= CHANGE_ATTEMPTS || !isError(error, 'DISCONNECTED', 'TIMEOUT', 'RATE_LIMITED')) throw error;
        // request() itself waits for the next connection.
        await sleep((error as ParleyClientError).retryAfterMs ?? 50 * 2 ** attempt);
      }
    }
  }
}
