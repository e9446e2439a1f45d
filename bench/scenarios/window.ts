import { LatencyHistogram, markedText } from '../markers.ts';

/**
 * Closed-loop senders: each keeps at most `window` messages unconfirmed, a message being
 * confirmed when the scenario says so (every receiver has it, or its one recipient). Phases run
 * up to a message index; only deliveries during a measured phase count.
 */
export class WindowedSenders {
  readonly histogram = new LatencyHistogram();
  measuring = false;
  deliveries = 0;
  private readonly sentAt: Float64Array[];
  private readonly next: number[];
  private readonly inFlight: number[];
  private limit = 0;
  private completed = 0;
  private phaseDone: (() => void) | undefined;

  private readonly senders: number;
  readonly perSender: number;
  private readonly window: number;
  private readonly textBytes: number;
  private readonly send: (sender: number, text: string, index: number) => void;

  constructor(options: { senders: number; perSender: number; window: number; textBytes: number; send: (sender: number, text: string, index: number) => void }) {
    ({ senders: this.senders, perSender: this.perSender, window: this.window, textBytes: this.textBytes, send: this.send } = options);
    const { senders, perSender } = options;
    this.sentAt = Array.from({ length: senders }, () => new Float64Array(perSender));
    this.next = new Array<number>(senders).fill(0);
    this.inFlight = new Array<number>(senders).fill(0);
  }

  /** When the chunk being scanned arrived: one clock read per chunk, not per delivery. */
  receivedAt = 0;

  /** A delivery of message `index` from `sender` was read (counted and timed while measuring). */
  delivered(sender: number, index: number): void {
    if (!this.measuring) return;
    this.deliveries += 1;
    this.histogram.record(this.receivedAt - this.sentAt[sender]![index]!);
  }

  /** Message `index` from `sender` is confirmed: its window slot frees up. */
  confirmed(sender: number): void {
    this.inFlight[sender]! -= 1;
    this.completed += 1;
    this.pump(sender);
    if (this.completed === this.limit * this.senders) this.phaseDone?.();
  }

  /** How many messages `sender` has sent so far. */
  sent(sender: number): number {
    return this.next[sender]!;
  }

  /** Sends up to message `limit` from every sender; false if it did not finish in time. */
  runUntil(limit: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.limit = limit;
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.phaseDone = () => {
        clearTimeout(timer);
        resolve(true);
      };
      for (let s = 0; s < this.senders; s++) this.pump(s);
    });
  }

  private pump(s: number): void {
    while (this.inFlight[s]! < this.window && this.next[s]! < this.limit) {
      const i = this.next[s]!;
      this.next[s] = i + 1;
      this.inFlight[s]! += 1;
      this.sentAt[s]![i] = performance.now();
      this.send(s, markedText(s, i, this.textBytes), i);
    }
  }
}
