/**
 * Which sequence numbers of each conversation one connection already has: delivered to it,
 * sent by it (its send receipts), or covered by a cursor it resumed from. Kept as sorted,
 * disjoint, inclusive ranges, because "everything up to the cursor" is not enough: a send
 * receipt or a live message can put a later seq in the set while earlier ones are still
 * missing, and a resume must replay exactly the missing ones, never what the connection has.
 *
 * Live delivery is the hot path (once per recipient per message): the newest range lives in
 * the entry's own fields, so a seq one above it extends it with a compare and a store, as
 * cheap as a plain cursor. Older ranges only come from a resume or a send out of step with
 * delivery, so there are few; past MAX_RANGES the oldest is forgotten, which can only make a
 * later resume repeat a message (clients drop repeats by seq), never lose one.
 */
type Range = [lo: number, hi: number];

interface Entry {
  /** The newest range. */
  lo: number;
  hi: number;
  /** Older ranges, ascending and disjoint, all below `lo - 1`; usually none. */
  older: Range[] | undefined;
}

const MAX_RANGES = 32;

export class SeenSeqs {
  private readonly byConv = new Map<string, Entry>();

  /** Records a seq; false when the connection has it already. */
  add(conv: string, seq: number): boolean {
    const entry = this.byConv.get(conv);
    if (entry === undefined) {
      this.byConv.set(conv, { lo: seq, hi: seq, older: undefined });
      return true;
    }
    if (seq === entry.hi + 1) {
      entry.hi = seq;
      return true;
    }
    if (seq > entry.hi) {
      (entry.older ??= []).push([entry.lo, entry.hi]);
      if (entry.older.length >= MAX_RANGES) entry.older.shift();
      entry.lo = entry.hi = seq;
      return true;
    }
    return this.insertBelow(entry, seq);
  }

  /** The client has everything up to `cursor` (a resume): one range from 0 to it. */
  coverUpTo(conv: string, cursor: number): void {
    const ranges = this.rangesOf(conv);
    let drop = 0;
    while (drop < ranges.length && ranges[drop]![0] <= cursor + 1) drop++;
    const hi = drop > 0 ? Math.max(cursor, ranges[drop - 1]![1]) : cursor;
    ranges.splice(0, drop, [0, hi]);
    this.store(conv, ranges);
  }

  /**
   * The seqs above `cursor` the connection does not have, as inclusive ranges in order; the last
   * one is open (`to` undefined): everything stored after the highest seq it has.
   */
  missingAbove(conv: string, cursor: number): { from: number; to: number | undefined }[] {
    const missing: { from: number; to: number | undefined }[] = [];
    let next = cursor + 1;
    for (const [lo, hi] of this.rangesOf(conv)) {
      if (hi < next) continue;
      if (lo > next) missing.push({ from: next, to: lo - 1 });
      next = hi + 1;
    }
    missing.push({ from: next, to: undefined });
    return missing;
  }

  has(conv: string, seq: number): boolean {
    return this.rangesOf(conv).some(([lo, hi]) => seq >= lo && seq <= hi);
  }

  /** All ranges of a conversation, ascending (a copy: the slow paths rebuild from it). */
  private rangesOf(conv: string): Range[] {
    const entry = this.byConv.get(conv);
    return entry === undefined ? [] : [...(entry.older ?? []), [entry.lo, entry.hi]];
  }

  private store(conv: string, ranges: Range[]): void {
    const newest = ranges.pop();
    if (newest === undefined) this.byConv.delete(conv);
    else this.byConv.set(conv, { lo: newest[0], hi: newest[1], older: ranges.length > 0 ? ranges.slice(-MAX_RANGES) : undefined });
  }

  /** A seq at or below the newest range: inside a range (false), or a new or widened one. */
  private insertBelow(entry: Entry, seq: number): boolean {
    const ranges: Range[] = [...(entry.older ?? []), [entry.lo, entry.hi]];
    let i = 0;
    while (i < ranges.length && ranges[i]![1] < seq - 1) i++;
    const at = ranges[i]!;
    if (seq >= at[0] && seq <= at[1]) return false;
    if (seq === at[1] + 1) {
      at[1] = seq;
      const following = ranges[i + 1];
      if (following && following[0] === seq + 1) {
        at[1] = following[1];
        ranges.splice(i + 1, 1);
      }
    } else if (seq === at[0] - 1) {
      at[0] = seq;
    } else {
      ranges.splice(i, 0, [seq, seq]);
    }
    const newest = ranges.pop()!;
    entry.lo = newest[0];
    entry.hi = newest[1];
    entry.older = ranges.length > 0 ? ranges.slice(-MAX_RANGES) : undefined;
    return true;
  }
}
