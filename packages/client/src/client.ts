import { foldName, PROTOCOL_VERSION, type ChatMessage, type CommandArgs, type ReplyData, type ServerEvent, type Verb } from '@parley/protocol';
import { Backoff } from './backoff.ts';
import { CatchUp, resume } from './catch-up.ts';
import { Channel } from './channel.ts';
import { eventStream } from './event-stream.ts';
import { E2eClient, type E2eOptions, type SendOptions } from './e2e/e2e-client.ts';
import { ParleyClientError } from './errors.ts';
import { keyProof } from './key-login.ts';
import { MessagingClient } from './message-actions.ts';
import { Outbox } from './outbox.ts';
import { PendingSends, type ClientReceipt } from './pending-sends.ts';
import type { TransportFactory } from './transport.ts';
import { loginRequest, signedIn } from './credentials.ts';
import type { ClientEvent, ClientEvents, ClientMessage, ClientState, Credentials, DeviceCredential, Identity } from './types.ts';
import { ReadyWaiters, ReconnectWait } from './reconnect-wait.ts';
import { rejoinRooms, trackRooms } from './rejoin.ts';
import { ServerRotation } from './server-rotation.ts';
import type { ServerUrl } from './url.ts';

export interface ClientOptions {
  /**
   * The server, or several addresses of it (the nodes of a cluster): the client connects to the
   * first that answers, stays there, and moves to the next when that connection is lost.
   */
  url: string | readonly string[];
  transport: TransportFactory;
  credentials: Credentials;
  /** Per request, including waiting for a connection. Default 10 s. */
  requestTimeoutMs?: number;
  /** Reconnect after a lost connection. Default true. */
  reconnect?: boolean;
  /** Reconnect delays: doubling from `initialMs` (15) to `maxMs` (5000), with jitter. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Sends that may wait for a connection or an ack. Default 1000. */
  maxQueuedSends?: number;
  clientName?: string;
  /**
   * A label for this device ("Firefox on Linux"): an account's password login then asks for a
   * device token, which later logins and reconnects use instead of the password (`device`).
   */
  remember?: string;
  /**
   * After a lost connection, how long a guest keeps asking for its name back while the server
   * says it is taken (NAME_TAKEN): when a cluster node dies, its guests' names stay held until
   * the other nodes notice (cluster.node_timeout_ms). Default 30 s; then the client stops.
   */
  guestNameWaitMs?: number;
  /** End-to-end encrypted DMs (client.e2e): the user's identity key and this device's storage. */
  e2e?: E2eOptions;
  /**
   * Ask the server to compress the connection: deflate streams on tls:// and tcp://,
   * permessage-deflate on ws:// and wss:// (docs/protocol.md, "Compression"). Fewer bytes for
   * more CPU on both ends; worth it on slow links. Default false. `compression` says whether
   * the server agreed.
   */
  compress?: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type ServerLimits = ReplyData['hello']['limits'];

/**
 * A Parley connection that stays up: it reconnects with backoff, logs in again, rejoins its
 * rooms and resumes every conversation from the last sequence number the application saw, so
 * each message is delivered exactly once and in order. Events: `client.on('message', …)` or
 * `for await (const event of client.events())`. Edits, reactions, typing and read state:
 * MessagingClient (message-actions.ts).
 */
export class ParleyClient extends MessagingClient {
  state: ClientState = 'idle';
  identity: Identity | undefined;
  /** The device credential this client signs in with: issued at a login with `remember`, or the token it was given. */
  device: DeviceCredential | undefined;
  /** The server's limits from its last `hello` reply (text size, recipients, rates). */
  limits: ServerLimits | undefined;
  /** The compression the server agreed to at the last `hello` (ClientOptions.compress), if any. */
  compression: 'deflate' | undefined;
  /** Every address this client may use, in the order it tries them. */
  readonly servers: ServerRotation;
  private channel: Channel | undefined;
  private ready = false;
  /** Requests waiting for a connection: woken when one is ready, or to find the client closed. */
  private readonly readyWaiters = new ReadyWaiters();
  private credentials: Credentials;
  private readonly cursors = new Map<string, number>();
  private readonly rooms = new Set<string>();
  private readonly outbox: Outbox;
  /** Sends to rooms homed on another server that the home has not taken yet (receipt `pending`). */
  private readonly pendingSends = new PendingSends();
  private readonly backoff: Backoff;
  private readonly timeoutMs: number;
  private closing = false;
  private missedThisHandshake = 0;
  /** Set while logging in and resuming: message events wait in it (see CatchUp). */
  private catchUp: CatchUp | undefined;
  /** A `stop` error the server sent before closing (KICKED, BANNED): the client must not come back. */
  private stoppedBy: ParleyClientError | undefined;
  private readonly reconnectWait = new ReconnectWait();
  /** End-to-end encryption, when configured: DMs are sent and read through it. */
  readonly e2e: E2eClient | undefined;

  constructor(private readonly options: ClientOptions) {
    super();
    this.servers = new ServerRotation(options.url);
    this.credentials = options.credentials;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.outbox = new Outbox(options.maxQueuedSends ?? 1000);
    this.backoff = new Backoff(options.backoff?.initialMs, options.backoff?.maxMs);
    this.e2e = options.e2e && new E2eClient(this, options.e2e, {
      emit: (name, value) => this.emit(name, value),
      advance: (conv, seq) => void this.advance(conv, seq),
      keyProof: (key) =>
        this.channel ? keyProof(this.channel, key, { purpose: 'edevice', name: this.identity?.name ?? '', timeoutMs: this.timeoutMs }) : Promise.reject(ParleyClientError.local('DISCONNECTED', 'Not connected')),
    });
  }

  /** The address in use, or tried next while disconnected. */
  get url(): ServerUrl {
    return this.servers.current;
  }

  /** Connects and logs in; rejects if the first attempt fails. Later losses reconnect on their own. */
  connect(): Promise<Identity> {
    return new Promise((resolve, reject) => void this.run(resolve, reject));
  }

  private async run(connected: (identity: Identity) => void, gaveUp: (error: ParleyClientError) => void): Promise<void> {
    const servers = this.servers;
    let attempts = 0;
    while (!this.closing) {
      this.setState(attempts === 0 ? 'connecting' : 'reconnecting', { server: this.url.href });
      let channel: Channel | undefined;
      try {
        const transport = await this.options.transport(this.url, { compress: this.options.compress === true });
        const opened: Channel = new Channel(transport, (event) => this.onEvent(event, opened));
        channel = this.channel = opened;
        const identity = await this.handshake(channel, attempts > 0, servers.lastConnected);
        servers.connected();
        this.backoff.reset();
        if (attempts === 0) connected(identity);
        attempts += 1;
        await channel.done;
        servers.lost();
        if (this.stoppedBy) throw this.stoppedBy;
        servers.failed();
      } catch (error) {
        servers.failed();
        // A failed handshake leaves a socket open; close it before retrying or giving up.
        channel?.close();
        const failure = this.stoppedBy ?? toClientError(error);
        if (this.givesUp(failure, attempts)) {
          this.closing = true;
          this.outbox.rejectAll(failure);
          this.pendingSends.rejectAll(failure);
          this.readyWaiters.wake();
          this.setState('closed', { error: failure });
          if (attempts === 0) gaveUp(failure);
          // The server's own stop error was reported when it came.
          else if (failure !== this.stoppedBy) this.emit('error', failure);
          return;
        }
      } finally {
        this.ready = false;
        this.channel = undefined;
      }
      if (this.closing || this.options.reconnect === false) break;
      if (!servers.advance()) continue;
      const delayMs = this.backoff.next();
      this.setState(attempts === 0 ? 'connecting' : 'reconnecting', { delayMs, server: this.url.href });
      await this.reconnectWait.sleep(delayMs);
    }
    const closed = ParleyClientError.local('CLOSED', 'The client was closed');
    this.outbox.rejectAll(closed);
    this.pendingSends.rejectAll(closed);
    this.readyWaiters.wake();
    this.setState('closed');
  }

  /**
   * The first connection fails once every address has; an unknown certificate, a wrong password
   * or a ban is the server's answer, not a node's, and stops at once. A guest whose node died
   * waits for its name (held there until the cluster notices) instead of stopping.
   */
  private givesUp(failure: ParleyClientError, attempts: number): boolean {
    if (attempts > 0 && failure.errorName === 'NAME_TAKEN' && this.credentials.kind === 'guest') {
      if (this.servers.sinceLost() < (this.options.guestNameWaitMs ?? 30_000)) return false;
    }
    if (failure.isFatal || this.options.reconnect === false) return true;
    return attempts === 0 && !this.servers.untriedLeft();
  }

  private async handshake(channel: Channel, resuming: boolean, previousServer: string | undefined): Promise<Identity> {
    const catchUp = (this.catchUp = new CatchUp());
    this.missedThisHandshake = 0;
    try {
      const compress = this.options.compress === true && channel.compresses ? { compress: 'deflate' as const } : {};
      const hello = await channel.request('hello', { v: PROTOCOL_VERSION, ...(this.options.clientName ? { client: this.options.clientName } : {}), ...compress }, this.timeoutMs);
      this.limits = hello.limits;
      this.compression = hello.compress;
      const login = await loginRequest(this.credentials, { remember: this.options.remember, channel, timeoutMs: this.timeoutMs });
      const identity = this.signedIn(await channel.request(login.verb, login.args as never, this.timeoutMs));
      for (const room of identity.rooms) this.rooms.add(room.name);
      for (const room of identity.rooms) this.e2e?.noteRoom(room);
      const lost = await rejoinRooms(channel, { rooms: this.rooms, cursors: this.cursors, timeoutMs: this.timeoutMs, joined: (room) => this.e2e?.noteRoom(room) });
      await resume(channel, { cursors: this.cursors, catchUp, timeoutMs: this.timeoutMs });
      this.catchUp = undefined;
      for (const message of catchUp.release()) this.deliver(message, true);
      this.ready = true;
      if (resuming) this.outbox.reconnected();
      this.readyWaiters.wake();
      const server = this.url.href;
      this.setState('connected', resuming ? { resumed: true, missed: this.missedThisHandshake, server } : { server });
      if (previousServer !== undefined && previousServer !== server) this.emit('failover', { from: previousServer, to: server });
      for (const each of lost) this.emit('room_lost', each);
      void this.outbox.pump((args) => this.transmit(args), sleep);
      return identity;
    } finally {
      if (this.catchUp === catchUp) this.catchUp = undefined;
    }
  }

  /**
   * Keeps what the next login needs (the issued device token, announced once; a guest's name)
   * and returns the identity to show, which carries no token.
   */
  private signedIn(identity: Identity): Identity {
    const next = signedIn(this.credentials, identity);
    this.credentials = next.credentials;
    this.identity = next.shown;
    this.device = next.device;
    if (next.issued && this.device) this.emit('device', this.device);
    return next.shown;
  }

  /** A pending receipt's seq 0 is no position: only stored receipts move cursors (see PendingSends). */
  private async transmit(args: CommandArgs<'send'> & { cmid: string }): Promise<ClientReceipt[]> {
    const channel = this.channel;
    if (!channel || !this.ready) throw ParleyClientError.local('DISCONNECTED', 'Not connected');
    const { sent } = await channel.request('send', args, this.timeoutMs);
    const receipts = sent.map((receipt) => this.pendingSends.settle({ ...receipt, cmid: args.cmid }));
    for (const receipt of receipts) if (!receipt.pending) this.advance(receipt.conv, receipt.seq);
    return receipts;
  }

  private advance(conv: string, seq: number): boolean {
    if (seq <= (this.cursors.get(conv) ?? 0)) return false;
    this.cursors.set(conv, seq);
    return true;
  }

  /**
   * A message event, live or caught up. This client's own sends are not messages: a pending one
   * that the home took is `committed` (even at a seq the cursor passed), and one whose reply is
   * still to come (fetched by a resume before the outbox sent it again) waits for that reply.
   */
  private deliver(message: ChatMessage, caughtUp: boolean): void {
    const own = this.pendingSends.own(message, (cmid) => this.outbox.holds(cmid));
    const fresh = this.advance(message.conv, message.seq);
    if (own === 'early') return;
    if (own) return this.emit('committed', own);
    if (!fresh) return;
    if (caughtUp) this.missedThisHandshake += 1;
    if (this.e2e?.intercept(message)) return;
    this.emit('message', message);
  }

  private onEvent(event: ServerEvent, channel: Channel): void {
    switch (event.ev) {
      case 'message': {
        const { ev: _ev, ...message } = event;
        if (this.catchUp) this.catchUp.add(message);
        else this.deliver(message, false);
        return;
      }
      case 'ping':
        channel.notify('pong', { token: event.token });
        return;
      case 'error': {
        const error = ParleyClientError.fromWire(event.error);
        // Kicked, banned, this device revoked: logging in again would be refused (a revoked
        // token even counts as a failed login against the account's lockout).
        if (error.action === 'stop') this.stoppedBy = error;
        this.emit('error', error);
        return;
      }
      case 'nick':
        // Our own rename (from this or another connection) reaches us too: a guest asks for
        // its new name when it logs in again after a reconnect, not the one it started with.
        if (this.identity && foldName(event.old) === foldName(this.identity.name)) {
          this.identity = { ...this.identity, name: event.new };
          if (this.credentials.kind === 'guest') this.credentials = { kind: 'guest', name: event.new };
        }
        this.emit('nick', { old: event.old, new: event.new });
        return;
      case 'room_deleted':
        this.rooms.delete(event.room);
        this.emit('room_deleted', { room: event.room, by: event.by });
        return;
      default: {
        const { ev, ...data } = event;
        this.emit(ev, data as never);
      }
    }
  }

  private setState(state: ClientState, extra: Omit<ClientEvents['state'], 'state'> = {}): void {
    this.state = state;
    this.emit('state', { state, ...extra });
  }

  private async whenReady(): Promise<Channel> {
    if (this.closing) throw ParleyClientError.local('CLOSED', 'The client was closed');
    if (!this.ready) await this.readyWaiters.wait(this.timeoutMs);
    if (this.closing || !this.channel) throw ParleyClientError.local('CLOSED', 'The client was closed');
    return this.channel;
  }

  /** Any command, typed by the protocol: waits for a connection, then for the reply. */
  async request<TVerb extends Verb>(cmd: TVerb, args: CommandArgs<TVerb>): Promise<ReplyData[TVerb]> {
    const channel = await this.whenReady();
    const data = await channel.request(cmd, args, this.timeoutMs);
    trackRooms({ rooms: this.rooms, cursors: this.cursors }, { cmd, data });
    if (cmd === 'join' || cmd === 'create') this.e2e?.noteRoom(data as ReplyData['join']);
    if (cmd === 'mode') this.e2e?.noteRoom({ name: (data as ReplyData['mode']).room, encrypted: (data as ReplyData['mode']).modes.encrypted });
    return data;
  }

  /**
   * Sends to "#room", a user, several users, or "ALL". Queued while disconnected; never sent twice.
   * With `e2e`, a DM is end-to-end encrypted, and refused when the person has no device keys unless
   * `plaintext: true` says to send it unencrypted. `reply: seq` answers that message (one target).
   */
  send(to: string | string[], text: string, options: SendOptions = {}): Promise<ClientReceipt[]> {
    if (this.closing) return Promise.reject(ParleyClientError.local('CLOSED', 'The client was closed'));
    const { e2e } = this;
    if (e2e?.handlesAny(to, options)) return e2e.sendEach(to, { text, options, plain: (rest) => this.send(rest, text, options) });
    const queued = this.outbox.add({ to, text, ...(options.kind ? { kind: options.kind } : {}), ...(options.reply === undefined ? {} : { reply: options.reply }) }, !this.ready && this.identity !== undefined);
    if (this.ready) void this.outbox.pump((args) => this.transmit(args), sleep);
    return e2e ? queued.catch((error: unknown) => e2e.afterPlainRefusal(error, to, { text, options, plain: (rest) => this.send(rest, text, options) })) : queued;
  }

  /**
   * The receipt of the stored message: `receipt` itself unless it is `pending` (a room homed on
   * another server that had not taken it yet); then once the home has, as `committed` says too.
   * Rejects with CLOSED if the client ends first (the server still holds the message).
   */
  stored(receipt: ClientReceipt): Promise<ClientReceipt> {
    return this.pendingSends.stored(receipt);
  }

  join(room: string, password?: string): Promise<ReplyData['join']> {
    return this.request('join', { room, ...(password === undefined ? {} : { password }) });
  }

  part(room: string): Promise<ReplyData['part']> {
    return this.request('part', { room });
  }

  /** A page of a conversation; with `e2e`, encrypted messages come as their archived plaintext (ClientMessage). */
  async history(target: string, page: { before?: number; after?: number; limit?: number } = {}): Promise<{ conv: string; messages: ClientMessage[] }> {
    const reply = await this.request('history', { with: target, ...page });
    return this.e2e ? this.e2e.readHistory(reply) : reply;
  }

  /** Resolves once every queued send has been acknowledged. */
  drain(): Promise<void> {
    return this.outbox.drained();
  }

  /** All events as one async stream (ends when the client closes). */
  events(): AsyncGenerator<ClientEvent> {
    return eventStream(this);
  }

  /** While waiting to reconnect: tries at once instead of at the end of the delay. */
  retryNow(): void {
    this.reconnectWait.wake();
  }

  /** Stops reconnecting and closes the connection. Queued sends are rejected with CLOSED. */
  async close(): Promise<void> {
    this.closing = true;
    this.readyWaiters.wake();
    this.reconnectWait.wake();
    const channel = this.channel;
    if (channel) {
      channel.close();
      await channel.done;
    }
  }
}

function toClientError(error: unknown): ParleyClientError {
  if (error instanceof ParleyClientError) return error;
  return ParleyClientError.local('CONNECT_FAILED', (error as Error)?.message ?? String(error), { cause: error });
}
