/**
 * Which sequence numbers of each conversation one connection already has: delivered to it,
 * sent by it (its send receipts), or covered by a cursor it resumed from. Kept as sorted,
 * disjoint, inclusive ranges, because "everything up to the cursor" is not enough: a send
 * receipt or a live message can put a later seq in the set while earlier ones are still
 * missing, and a resume must replay exactly the missing ones, never what the connection has.
 *
 * Live delivery is the hot path: a seq one above the last range extends it in place. Gaps only
 * come from a resume or a send that happened out of step with delivery, so there are few
 * ranges; past MAX_RANGES the oldest range is forgotten, which can only make a later resume
 * repeat a message (clients drop repeats by seq), never lose one.
 */
type Range = [lo: number, hi: number];

const MAX_RANGES = 32;

export class SeenSeqs {
  private readonly byConv = new Map<string, Range[]>();

  /** Records a seq; false when the connection has it already. */
  add(conv: string, seq: number): boolean {
    const ranges = this.rangesOf(conv);
    const last = ranges.at(-1);
    if (last === undefined || seq > last[1] + 1) {
      ranges.push([seq, seq]);
      if (ranges.length > MAX_RANGES) ranges.shift();
      return true;
    }
    if (seq === last[1] + 1) {
      last[1] = seq;
      return true;
    }
    return this.insert(ranges, seq);
  }

  /** The client has everything up to `cursor` (a resume): one range from 0 to it. */
  coverUpTo(conv: string, cursor: number): void {
    const ranges = this.rangesOf(conv);
    let drop = 0;
    while (drop < ranges.length && ranges[drop]![0] <= cursor + 1) drop++;
    const hi = drop > 0 ? Math.max(cursor, ranges[drop - 1]![1]) : cursor;
    ranges.splice(0, drop, [0, hi]);
  }

  /**
   * The seqs above `cursor` the connection does not have, as inclusive ranges in order; the last
   * one is open (`to` undefined): everything stored after the highest seq it has.
   */
  missingAbove(conv: string, cursor: number): { from: number; to: number | undefined }[] {
    const missing: { from: number; to: number | undefined }[] = [];
    let next = cursor + 1;
    for (const [lo, hi] of this.byConv.get(conv) ?? []) {
      if (hi < next) continue;
      if (lo > next) missing.push({ from: next, to: lo - 1 });
      next = hi + 1;
    }
    missing.push({ from: next, to: undefined });
    return missing;
  }

  has(conv: string, seq: number): boolean {
    return (this.byConv.get(conv) ?? []).some(([lo, hi]) => seq >= lo && seq <= hi);
  }

  private rangesOf(conv: string): Range[] {
    let ranges = this.byConv.get(conv);
    if (ranges === undefined) {
      ranges = [];
      this.byConv.set(conv, ranges);
    }
    return ranges;
  }

  /** A seq at or below the last range: inside one (false), or a new or widened range. */
  private insert(ranges: Range[], seq: number): boolean {
    let i = 0;
    while (i < ranges.length && ranges[i]![1] < seq - 1) i++;
    const at = ranges[i];
    if (at === undefined) return false; // unreachable: seq is at or below the last range
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
      if (ranges.length > MAX_RANGES) ranges.shift();
    }
    return true;
  }
}
