import type { StoredMessage } from '../store/message-log.ts';

export interface SequencerSource {
  history(conv: string, q: { after: number; limit: number }): Promise<StoredMessage[]>;
  lastSeqs(convs: readonly string[]): Promise<Map<string, number>>;
}

export type RepairKind = 'gap' | 'tail';

export interface SequencerOptions {
  source: SequencerSource;
  deliver: (message: StoredMessage, origin: string | undefined) => void;
  /** How long a gap waits for the missing message to arrive before it is read from the store. */
  gapWaitMs: number;
  /** How often every tracked conversation's end is compared with the store's. */
  tailCheckMs: number;
  /** Messages per store read while filling. */
  pageSize?: number;
  /** Messages held per conversation while a gap waits; past it the store is read at once. */
  maxHeld?: number;
  onRepair?: (kind: RepairKind, conv: string, messages: number) => void;
  onError?: (error: unknown) => void;
}

interface Held {
  message: StoredMessage;
  origin: string | undefined;
  /** The track's `reads` when it arrived: it arrived during read n when this is n. */
  read: number;
}

interface Track {
  conv: string;
  last: number;
  /** Arrived ahead of a gap, by seq. */
  held: Map<number, Held>;
  /** Store reads begun so far (fills). */
  reads: number;
  /** The store is known to hold messages up to here (a tail check saw it, or one arrived). */
  target: number;
  kind: RepairKind;
  timer: NodeJS.Timeout | undefined;
  filling: boolean;
}

/**
 * Delivers each tracked conversation strictly in seq order, each message once, whatever order the
 * bus brings them in: seq = last + 1 is delivered (with whatever it unblocks), seq <= last is a
 * duplicate and dropped, a higher seq is held while the gap waits `gapWaitMs` for the missing
 * ones, then the range is read from the store. The store never shows seq n+1 before seq n is
 * committed, so a read after `last` is gapless (except where retention deleted messages, which
 * it skips over). A held message is taken to lie past deleted ones only when a read that began
 * after it arrived did not find what comes before it: one that arrived during the read may have
 * been committed after the read began, together with the seqs before it.
 *
 * A publish lost between commit and a crash, or while the bus was down, leaves no gap for a later
 * message to reveal; the tail check finds it: every `tailCheckMs` it asks the store for the last
 * seq of every tracked conversation in one round trip and treats a store ahead of us as a gap.
 */
export class ConversationSequencer {
  readonly #tracks = new Map<string, Track>();
  readonly #pageSize: number;
  readonly #maxHeld: number;
  readonly #tailTimer: NodeJS.Timeout;
  #checking = false;
  #closed = false;

  constructor(private readonly options: SequencerOptions) {
    this.#pageSize = options.pageSize ?? 500;
    this.#maxHeld = options.maxHeld ?? 10_000;
    this.#tailTimer = setInterval(() => void this.tailCheck(), options.tailCheckMs);
    this.#tailTimer.unref();
  }

  /** Starts ordering `conv` after seq `after` (what came before is not delivered). */
  track(conv: string, after: number): void {
    if (this.#closed) return;
    this.untrack(conv);
    this.#tracks.set(conv, { conv, last: after, held: new Map(), reads: 0, target: after, kind: 'gap', timer: undefined, filling: false });
  }

  untrack(conv: string): void {
    const track = this.#tracks.get(conv);
    if (!track) return;
    clearTimeout(track.timer);
    this.#tracks.delete(conv);
  }

  isTracked(conv: string): boolean {
    return this.#tracks.has(conv);
  }

  /** The last seq delivered of a tracked conversation. */
  position(conv: string): number | undefined {
    return this.#tracks.get(conv)?.last;
  }

  tracked(): number {
    return this.#tracks.size;
  }

  offer(message: StoredMessage, origin?: string): void {
    const track = this.#tracks.get(message.conv);
    if (!track || message.seq <= track.last) return;
    if (message.seq === track.last + 1) {
      this.#deliver(track, message, origin);
      this.#drain(track);
      return;
    }
    if (message.seq - 1 > track.target) track.target = message.seq - 1;
    if (track.held.size < this.#maxHeld) {
      track.held.set(message.seq, { message, origin, read: track.reads });
      this.#arm(track, 'gap', this.options.gapWaitMs);
    } else {
      // Too much ahead of the gap to hold: the store has all of it, read it now.
      if (message.seq > track.target) track.target = message.seq;
      this.#disarm(track);
      this.#arm(track, 'gap', 0);
    }
  }

  /** Compares every tracked conversation's end with the store's; runs every `tailCheckMs`. */
  async tailCheck(): Promise<void> {
    if (this.#checking || this.#closed || this.#tracks.size === 0) return;
    this.#checking = true;
    try {
      const convs = [...this.#tracks.keys()];
      const lasts = await this.options.source.lastSeqs(convs);
      for (const [conv, storeLast] of lasts) {
        const track = this.#tracks.get(conv);
        if (!track || storeLast <= track.last) continue;
        if (storeLast > track.target) track.target = storeLast;
        // The publish may still be on its way: give it the gap wait before reading the store.
        this.#arm(track, 'tail', this.options.gapWaitMs);
      }
    } catch (err) {
      this.options.onError?.(err);
    } finally {
      this.#checking = false;
    }
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#tailTimer);
    for (const track of this.#tracks.values()) clearTimeout(track.timer);
    this.#tracks.clear();
  }

  #deliver(track: Track, message: StoredMessage, origin: string | undefined): void {
    track.last = message.seq;
    if (track.held.size > 0) track.held.delete(message.seq);
    try {
      this.options.deliver(message, origin);
    } catch (err) {
      this.options.onError?.(err);
    }
    if (track.timer !== undefined && track.held.size === 0 && track.last >= track.target && this.#tracks.get(track.conv) === track) this.#disarm(track);
  }

  /** Delivers what was held right behind `last`. */
  #drain(track: Track): void {
    if (track.held.size === 0) return; // the usual case: nothing waits
    for (let next = track.held.get(track.last + 1); next; next = track.held.get(track.last + 1)) {
      this.#deliver(track, next.message, next.origin);
      if (this.#tracks.get(track.conv) !== track) return;
    }
  }

  #arm(track: Track, kind: RepairKind, delayMs: number): void {
    if (track.timer || track.filling) return;
    track.kind = kind;
    track.timer = setTimeout(() => {
      track.timer = undefined;
      void this.#fill(track);
    }, delayMs);
    track.timer.unref();
  }

  #disarm(track: Track): void {
    clearTimeout(track.timer);
    track.timer = undefined;
  }

  /** Reads what is missing after `last` from the store, in pages, until the gap is closed. */
  async #fill(track: Track): Promise<void> {
    const conv = track.conv;
    if (this.#tracks.get(conv) !== track || track.filling) return;
    track.filling = true;
    const kind = track.kind;
    let repaired = 0;
    try {
      while (this.#tracks.get(conv) === track && (track.held.size > 0 || track.last < track.target)) {
        const read = ++track.reads;
        const page = await this.options.source.history(conv, { after: track.last, limit: this.#pageSize });
        if (this.#tracks.get(conv) !== track) return;
        for (const stored of page) {
          if (stored.seq <= track.last) continue; // arrived on the bus during the read
          const held = track.held.get(stored.seq);
          this.#deliver(track, held?.message ?? stored, held?.origin);
          if (!held) repaired++;
          if (this.#tracks.get(conv) !== track) return;
        }
        this.#drain(track);
        if (page.length < this.#pageSize) {
          // The store had nothing more when the read began. What was held by then was committed
          // by then, so it lies past deleted messages; what arrived during the read may have
          // been committed after it began, with seqs the read could not see before it: read again.
          for (const seq of [...track.held.keys()].sort((a, b) => a - b)) {
            const held = track.held.get(seq);
            if (!held) continue;
            if (seq <= track.last) track.held.delete(seq);
            else if (held.read < read) this.#deliver(track, held.message, held.origin);
            else continue;
            if (this.#tracks.get(conv) !== track) return;
          }
          this.#drain(track);
          if (track.held.size > 0) continue;
          if (track.target > track.last) track.target = track.last;
          break;
        }
      }
    } catch (err) {
      this.options.onError?.(err);
      track.filling = false;
      // Try again later: the store may be down for a while.
      if (this.#tracks.get(conv) === track) this.#arm(track, kind, this.options.tailCheckMs);
      return;
    } finally {
      if (repaired > 0) this.options.onRepair?.(kind, conv, repaired);
    }
    track.filling = false;
    // Something arrived ahead while the last page was read: wait for it like any gap.
    if (this.#tracks.get(conv) === track && track.held.size > 0) this.#arm(track, 'gap', this.options.gapWaitMs);
  }
}
