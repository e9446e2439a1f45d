import { ParleyError, type ErrorName, type RequestId, type StreamMode } from '@parley/protocol';
import { encodeUtf8 } from '@parley/protocol';
import type { User } from '../chat/user.ts';
import type { CommandResult } from '../commands/command.ts';
import { runCommand, type Inbound } from '../commands/run-command.ts';
import { OutboundEvent, OutboundQueue, type ByteSink, type OverflowListener } from './outbound.ts';
import type { ServerContext } from './context.ts';
import { errorLine } from './text-lines.ts';
import { encodeStructured, frameBytes, isTextFormat, wireFormat, type WireFormat } from './wire-format.ts';

export type TransportKind = 'tls' | 'tcp' | 'ws';

/** The transport under a session; TCP/TLS and WebSocket connections each provide one. */
export interface SessionTransport {
  readonly kind: TransportKind;
  readonly remoteAddress: string;
  readonly sink: ByteSink;
  /** Closes after the bytes already written have gone out. */
  end(reason: ParleyError | undefined): void;
  /** Inbound backpressure: stop and restart reading from the peer. */
  pause(): void;
  resume(): void;
}

/** Why a session ended, as counted in metrics. */
export type CloseReason = ErrorName | 'quit' | 'eof' | 'shutdown';

export interface SessionOptions {
  id: number;
  transport: SessionTransport;
  server: ServerContext;
  onClose: (session: Session, reason: CloseReason) => void;
}

export type Outcome = { ok: true; result: CommandResult } | { ok: false; error: ParleyError };

const MAX_HELD_EVENTS = 10_000;
/** Commands read but not yet run; past this the socket is paused until the backlog halves. */
const MAX_PENDING_COMMANDS = 64;

/**
 * One client connection after transport setup: its wire format, login state, per-conversation
 * cursors and outbound queue. Message events pass the cursor check, so a message is never
 * delivered twice to one connection even when live routing and a replay overlap.
 */
export class Session implements OverflowListener {
  readonly id: number;
  readonly transport: SessionTransport;
  private readonly server: ServerContext;
  private readonly onClose: SessionOptions['onClose'];
  user: User | undefined;
  format: WireFormat | undefined;
  mode: StreamMode | undefined;
  helloDone = false;
  closed = false;
  rateStrikes = 0;
  lastInboundAt: number;
  pingSentAt: number | undefined;
  readonly createdAt: number;
  /**
   * Per conversation: the highest seq this connection was given (`cursor`), and the lowest seq
   * of the run it was given (`floor`): every seq from the floor to the cursor went out. A resume
   * from below the floor fills the gap (a live message that arrived between login and resume
   * must not hide the older ones the client missed). Made on first use: an idle connection
   * never needs it.
   */
  private positions: Map<string, { cursor: number; floor: number }> | undefined;
  readonly queue: OutboundQueue;
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
    this.queue = new OutboundQueue({
      sink: transport.sink,
      capBytes: server.config.limits.outbound_queue_bytes,
      owner: this,
      flusher: server.flusher,
    });
  }

  setMode(mode: StreamMode, framing: 'stream' | 'ws'): void {
    this.mode = mode;
    this.format = wireFormat(mode, framing);
    // Humans in text mode have no handshake to make.
    if (mode === 'text') this.helloDone = true;
  }

  get isText(): boolean {
    return this.format !== undefined && isTextFormat(this.format);
  }

  /**
   * Runs inbound commands one at a time, in arrival order: a pipelined "REGISTER a" then
   * "JOIN #x" must see the login done. Reading pauses while too many wait.
   */
  receive(inbound: Inbound): void {
    if (this.closed) return;
    this.pendingCommands += 1;
    if (this.pendingCommands > MAX_PENDING_COMMANDS && !this.paused) {
      this.paused = true;
      this.transport.pause();
    }
    this.chain = this.chain.then(async () => {
      if (!this.closed) await runCommand(this.server, this, inbound);
      this.pendingCommands -= 1;
      if (this.paused && this.pendingCommands <= MAX_PENDING_COMMANDS / 2) {
        this.paused = false;
        this.transport.resume();
      }
    });
  }

  /** Resolves when every command received so far has run (the peer half-closed, say). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Queues an event; returns whether it was queued (false for duplicates and closed sessions). */
  deliver(out: OutboundEvent): boolean {
    if (this.closed || this.format === undefined) return false;
    const event = out.event;
    if (event.ev === 'message') {
      if (this.held) {
        this.held.push(out);
        if (this.held.length > MAX_HELD_EVENTS) this.close('SLOW_CONSUMER');
        return true;
      }
      // One map lookup per delivery: this is the fan-out hot path.
      const position = (this.positions ??= new Map()).get(event.conv);
      if (position === undefined) this.positions.set(event.conv, { cursor: event.seq, floor: event.seq });
      else if (event.seq <= position.cursor) return false;
      else position.cursor = event.seq;
    }
    return this.queue.push(out.bytes(this.format), out.lazy);
  }

  /** Delivers a stored message below the floor (see `positions`); the cursor stays where it is. */
  deliverBelowFloor(out: OutboundEvent): boolean {
    if (this.closed || this.format === undefined || out.event.ev !== 'message') return false;
    return this.queue.push(out.bytes(this.format));
  }

  /**
   * Undefined when the outbound queue is under half its cap; otherwise a promise that resolves
   * once it is (or the session closed). Replays wait on it so they never overflow the queue:
   * only a peer that stops reading altogether is cut off, by the idle timeout.
   */
  roomToWrite(): Promise<void> | undefined {
    const limit = this.server.config.limits.outbound_queue_bytes / 2;
    if (this.closed || this.queue.bytes <= limit) return undefined;
    return (async () => {
      while (!this.closed && this.queue.bytes > limit) await new Promise((resolve) => setTimeout(resolve, 5));
    })();
  }

  /**
   * While a replay reads the store, live messages are held back and then released through the
   * cursor check, so the client sees each conversation in seq order with no gaps or repeats.
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

  /** Delivers a stored message during a replay, bypassing the hold (but not the cursor check). */
  deliverReplayed(out: OutboundEvent): boolean {
    const held = this.held;
    this.held = undefined;
    try {
      return this.deliver(out);
    } finally {
      this.held = held;
    }
  }

  advanceCursor(conv: string, seq: number): void {
    const position = (this.positions ??= new Map()).get(conv);
    if (position === undefined) this.positions.set(conv, { cursor: seq, floor: seq + 1 });
    else if (seq > position.cursor) position.cursor = seq;
  }

  cursorOf(conv: string): number | undefined {
    return this.positions?.get(conv)?.cursor;
  }

  floorOf(conv: string): number | undefined {
    return this.positions?.get(conv)?.floor;
  }

  /** After a resume filled the gap below the floor. */
  lowerFloor(conv: string, floor: number): void {
    const position = this.positions?.get(conv);
    if (position && floor < position.floor) position.floor = floor;
  }

  reply(id: RequestId | null, verb: string, outcome: Outcome): void {
    if (this.format === undefined) return;
    if (isTextFormat(this.format)) {
      const lines = outcome.ok ? (outcome.result.text ?? `OK ${verb.toUpperCase()}`) : errorLine(outcome.error.toWire());
      for (const line of typeof lines === 'string' ? [lines] : lines) this.queue.push(frameBytes(this.format, encodeUtf8(line)));
      return;
    }
    const frame = outcome.ok ? { re: id, ok: true as const, data: outcome.result.data } : { re: id, ok: false as const, error: outcome.error.toWire() };
    this.queue.push(encodeStructured(this.format, frame));
  }

  /**
   * Ends the session. With an error reason the client first gets one error event explaining why
   * (and a text-mode client one ERR line), then the transport closes after flushing.
   */
  close(reason: CloseReason, message?: string, notify = true): void {
    if (this.closed) return;
    const error = isErrorName(reason) ? new ParleyError(reason, message) : undefined;
    if (notify && error && this.format !== undefined) {
      const bytes = new OutboundEvent({ ev: 'error', error: error.toWire() }).bytes(this.format);
      // An overflowed queue refuses it; the socket still takes this one small frame.
      if (!this.queue.push(bytes) && !this.transport.sink.destroyed) this.transport.sink.write(bytes);
    }
    this.closed = true;
    this.queue.flush();
    this.queue.close();
    this.transport.end(error);
    this.onClose(this, reason);
  }

  /** The outbound queue passed its cap: the peer is not reading. */
  overflowed(): void {
    this.server.log.info({ session: this.id, user: this.user?.name }, 'slow consumer disconnected');
    this.close('SLOW_CONSUMER');
  }
}

function isErrorName(reason: CloseReason): reason is ErrorName {
  return reason !== 'quit' && reason !== 'eof' && reason !== 'shutdown';
}
