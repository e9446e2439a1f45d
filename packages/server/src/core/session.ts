import { ParleyError, type ErrorName, type RequestId, type StreamMode } from '@parley/protocol';
import { encodeUtf8 } from '@parley/protocol';
import type { User } from '../chat/user.ts';
import type { Inbound } from './inbound.ts';
import { OutboundEvent, OutboundQueue, type QueueOwner } from './outbound.ts';
import type { CommandOutcome, ServerContext } from './context.ts';
import { SeenSeqs } from './seen-seqs.ts';
import { waitForDrain } from './drain.ts';
import { errorLine } from './text-lines.ts';
import { encodeStructured, frameBytes, isTextFormat, wireFormat, type WireFormat } from './wire-format.ts';
import type { SessionTransport } from './transport.ts';

export type { SessionTransport, TransportKind } from './transport.ts';

/** Why a session ended, as counted in metrics. */
export type CloseReason = ErrorName | 'quit' | 'eof' | 'shutdown';

export interface SessionOptions {
  id: number;
  transport: SessionTransport;
  server: ServerContext;
  onClose: (session: Session, reason: CloseReason) => void;
}

const MAX_HELD_EVENTS = 10_000;
/** Commands read but not yet run; past this the socket is paused until the backlog halves. */
const MAX_PENDING_COMMANDS = 64;
/** How long a replay waits for a 'drain' before looking at the queue again (a small cap never makes the socket report one). */
const DRAIN_RECHECK_MS = 50;

/**
 * One client connection after transport setup: its wire format, login state, what it has of
 * each conversation, and its outbound queue. Its state changes only through these methods;
 * commands run through `server.dispatch`, so this layer never imports the command table.
 */
export class Session implements QueueOwner {
  readonly id: number;
  readonly transport: SessionTransport;
  readonly createdAt: number;
  private readonly server: ServerContext;
  private readonly onClose: SessionOptions['onClose'];
  private readonly queue: OutboundQueue;
  /** Message events are checked against it, so a message reaches this connection once. Made on first use: an idle connection never needs it. */
  private seen: SeenSeqs | undefined;
  private signedInUser: User | undefined;
  private boundDevice: number | undefined;
  private boundKey: string | undefined;
  private wire: WireFormat | undefined;
  private streamMode: StreamMode | undefined;
  private hello = false;
  private ended = false;
  private strikes = 0;
  private lastInboundAt: number;
  private pingSentAt: number | undefined;
  private current: { key: string; name: string } | undefined;
  private held: OutboundEvent[] | undefined;
  private holdDepth = 0;
  private pendingCommands = 0;
  private paused = false;
  private chain: Promise<void> = Promise.resolve();

  constructor({ id, transport, server, onClose }: SessionOptions) {
    this.id = id;
    this.transport = transport;
    this.server = server;
    this.onClose = onClose;
    this.createdAt = this.lastInboundAt = Date.now();
    this.queue = new OutboundQueue({ sink: transport.sink, capBytes: server.config.limits.outbound_queue_bytes, owner: this, flusher: server.flusher });
  }

  get user(): User | undefined {
    return this.signedInUser;
  }

  get format(): WireFormat | undefined {
    return this.wire;
  }

  get mode(): StreamMode | undefined {
    return this.streamMode;
  }

  get helloDone(): boolean {
    return this.hello;
  }

  get closed(): boolean {
    return this.ended;
  }

  get isText(): boolean {
    return this.wire !== undefined && isTextFormat(this.wire);
  }

  /** The outbound cap; `limitsChanged` brings it up to date after a reload. */
  private get capBytes(): number {
    return this.server.config.limits.outbound_queue_bytes;
  }

  /** After a reload: open connections take the new outbound cap (replays read it live anyway). */
  limitsChanged(): void {
    this.queue.setCap(this.capBytes);
  }

  /** Bytes waiting to reach the peer (queued, or in the socket's buffer). */
  get queuedBytes(): number {
    return this.queue.bytes;
  }

  setMode(mode: StreamMode, framing: 'stream' | 'ws'): void {
    this.streamMode = mode;
    this.wire = wireFormat(mode, framing);
    // Humans in text mode have no handshake to make.
    if (mode === 'text') this.hello = true;
  }

  markHelloDone(): void {
    this.hello = true;
  }

  signedIn(user: User): void {
    this.signedInUser = user;
  }

  /** The device credential this connection signed in with, or was issued; revoking it closes the connection. */
  get device(): number | undefined {
    return this.boundDevice;
  }

  usesDevice(id: number): void {
    this.boundDevice = id;
  }

  /** The public key this connection signed in with: a key ban or its removal closes the connection. */
  get loginKey(): string | undefined {
    return this.boundKey;
  }

  usesKey(key: string): void {
    this.boundKey = key;
  }

  /**
   * The room a text command without a `#room` means: the one this connection last joined or
   * spoke in, until it leaves it.
   */
  get currentRoom(): string | undefined {
    return this.current?.name;
  }

  enteredRoom(room: { key: string; name: string }): void {
    this.current = { key: room.key, name: room.name };
  }

  leftRoom(key: string): void {
    if (this.current?.key === key) this.current = undefined;
  }

  /** Counts a refusal towards the flood disconnect; returns the count so far. */
  countStrike(): number {
    return (this.strikes += 1);
  }

  clearStrikes(): void {
    this.strikes = 0;
  }

  /** Any inbound traffic: the peer is alive, and an outstanding ping is answered. */
  heardFrom(now = Date.now()): void {
    this.lastInboundAt = now;
    this.pingSentAt = undefined;
  }

  /**
   * Called by the sweeper: closes a connection that never finished its handshake or did not
   * answer a ping in time, and pings one that has been silent too long.
   */
  checkLiveness(now: number, limits: { handshakeMs: number; idleMs: number; pingTimeoutMs: number }): void {
    if (!this.hello) {
      if (now - this.createdAt > limits.handshakeMs) this.close('HANDSHAKE_TIMEOUT', 'Nothing usable arrived in time; send hello or a text command');
    } else if (this.pingSentAt !== undefined) {
      if (now - this.pingSentAt > limits.pingTimeoutMs) this.close('IDLE_TIMEOUT', 'No answer to PING');
    } else if (now - this.lastInboundAt > limits.idleMs) {
      this.pingSentAt = now;
      this.deliver(new OutboundEvent({ ev: 'ping', token: String(now) }));
    }
  }

  /**
   * Runs inbound commands one at a time, in arrival order: a pipelined "REGISTER a" then
   * "JOIN #x" must see the login done. Reading pauses while too many wait.
   */
  receive(inbound: Inbound): void {
    if (this.ended) return;
    this.pendingCommands += 1;
    if (this.pendingCommands > MAX_PENDING_COMMANDS && !this.paused) {
      this.paused = true;
      this.transport.pause();
    }
    this.chain = this.chain.then(async () => {
      if (!this.ended) await this.server.dispatch(this, inbound);
      this.pendingCommands -= 1;
      if (this.paused && this.pendingCommands <= MAX_PENDING_COMMANDS / 2) {
        this.paused = false;
        this.transport.resume();
      }
    });
  }

  /** Whether reading is paused for the backlog of commands (a compressed stream's inflater must not resume it). */
  get readingPaused(): boolean {
    return this.paused;
  }

  /** Resolves when every command received so far has run (the peer half-closed, say). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Queues an event; returns whether it was queued (false for repeats and closed sessions). */
  deliver(out: OutboundEvent): boolean {
    if (this.ended || this.wire === undefined) return false;
    const event = out.event;
    if (event.ev === 'message') {
      if (this.held) {
        this.held.push(out);
        if (this.held.length > MAX_HELD_EVENTS) this.close('SLOW_CONSUMER');
        return true;
      }
      if (!(this.seen ??= new SeenSeqs()).add(event.conv, event.seq)) return false;
    }
    return this.queue.push(out.bytes(this.wire), out.lazy);
  }

  /** A message this connection sent: it has it (the reply told it the seq), so it is never replayed to it. */
  sentMessage(conv: string, seq: number): void {
    (this.seen ??= new SeenSeqs()).add(conv, seq);
  }

  /**
   * A resume from `cursor`: the client has everything up to it. Returns the seq ranges above
   * it that this connection has not had, which the replay then sends.
   */
  resumeFrom(conv: string, cursor: number): { from: number; to: number | undefined }[] {
    const seen = (this.seen ??= new SeenSeqs());
    const missing = seen.missingAbove(conv, cursor);
    seen.coverUpTo(conv, cursor);
    return missing;
  }

  /**
   * Undefined when the outbound queue is under half its cap; otherwise a promise that resolves
   * once it is (or the session closed), woken by the socket draining. Replays wait on it so
   * they never overflow the queue: only a peer that stops reading is cut off, by the idle timeout.
   */
  whenWritable(): Promise<void> | undefined {
    if (this.ended || this.queue.bytes <= this.capBytes / 2) return undefined;
    return this.drainBelowHalf();
  }

  private async drainBelowHalf(): Promise<void> {
    while (!this.ended && this.queue.bytes > this.capBytes / 2) {
      // Bytes still waiting for the flusher go to the socket now; then wait for it to drain.
      this.queue.flush();
      if (this.queue.bytes <= this.capBytes / 2) return;
      await waitForDrain(this.transport.sink, DRAIN_RECHECK_MS);
    }
  }

  /**
   * While a replay reads the store, live messages are held back and then released through the
   * seen check, so the client sees each conversation in seq order with no gaps or repeats.
   */
  async withLiveMessagesHeld<T>(replay: () => Promise<T>): Promise<T> {
    this.held ??= [];
    this.holdDepth += 1;
    try {
      return await replay();
    } finally {
      this.holdDepth -= 1;
      if (this.holdDepth === 0) {
        const held = this.held ?? [];
        this.held = undefined;
        for (const out of held) this.deliver(out);
      }
    }
  }

  /** Delivers a stored message during a replay, bypassing the hold (but not the seen check). */
  deliverReplayed(out: OutboundEvent): boolean {
    const held = this.held;
    this.held = undefined;
    try {
      return this.deliver(out);
    } finally {
      this.held = held;
    }
  }

  reply(id: RequestId | null, verb: string, outcome: CommandOutcome): void {
    if (this.wire === undefined) return;
    if (isTextFormat(this.wire)) {
      const lines = outcome.ok ? (outcome.text ?? `OK ${verb.toUpperCase()}`) : errorLine(outcome.error.toWire());
      for (const line of typeof lines === 'string' ? [lines] : lines) this.queue.push(frameBytes(this.wire, encodeUtf8(line)));
      return;
    }
    const frame = outcome.ok ? { re: id, ok: true as const, data: outcome.data } : { re: id, ok: false as const, error: outcome.error.toWire() };
    this.queue.push(encodeStructured(this.wire, frame));
  }

  /**
   * After the reply to a `hello` that switched compression on: that reply and all before it
   * leave as they are, every byte after it through the transport's compressing sink.
   */
  startCompression(): void {
    this.queue.flush();
    this.transport.compress?.();
    this.queue.setSink(this.transport.sink);
  }

  /** Writes what is queued now (the console, which reads its replies at once). */
  flush(): void {
    this.queue.flush();
  }

  /**
   * Ends the session. With an error reason the client first gets one error event explaining why
   * (and a text-mode client one ERR line), then the transport closes after flushing.
   */
  close(reason: CloseReason, message?: string, notify = true): void {
    if (this.ended) return;
    const error = isErrorName(reason) ? new ParleyError(reason, message) : undefined;
    if (notify && error && this.wire !== undefined) {
      const bytes = new OutboundEvent({ ev: 'error', error: error.toWire() }).bytes(this.wire);
      // An overflowed queue refuses it; the socket still takes this one small frame.
      if (!this.queue.push(bytes) && !this.transport.sink.destroyed) this.transport.sink.write(bytes);
    }
    this.ended = true;
    this.queue.flush();
    this.queue.close();
    this.transport.end(error);
    this.onClose(this, reason);
  }

  /** The outbound queue passed its cap: the peer is not reading. */
  overflowed(): void {
    this.server.log.info({ session: this.id, user: this.signedInUser?.name }, 'slow consumer disconnected');
    this.close('SLOW_CONSUMER');
  }
}

function isErrorName(reason: CloseReason): reason is ErrorName {
  return reason !== 'quit' && reason !== 'eof' && reason !== 'shutdown';
}
