import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoredMessage } from '../store/message-log.ts';
import { ConversationSequencer, type RepairKind, type SequencerSource } from './sequencer.ts';

const msg = (seq: number, conv = 'r'): StoredMessage => ({ conv, seq, senderId: 'u', senderName: 'u', target: '#r', text: `m${seq}`, createdAt: seq });

/** A store that holds committed messages per conversation and counts reads. */
class FakeLog implements SequencerSource {
  readonly convs = new Map<string, StoredMessage[]>();
  reads = 0;
  failing = false;
  /** A read sees the store as it was when it began, and answers this much later (fake time). */
  readDelayMs = 0;
  commit(conv: string, upTo: number, from = 1): void {
    const list = this.convs.get(conv) ?? [];
    for (let seq = from; seq <= upTo; seq++) list.push(msg(seq, conv));
    this.convs.set(conv, list);
  }
  async history(conv: string, q: { after: number; limit: number }): Promise<StoredMessage[]> {
    this.reads++;
    if (this.failing) throw new Error('store down');
    const page = (this.convs.get(conv) ?? []).filter((m) => m.seq > q.after).slice(0, q.limit);
    if (this.readDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.readDelayMs));
    return page;
  }
  async lastSeqs(convs: readonly string[]): Promise<Map<string, number>> {
    if (this.failing) throw new Error('store down');
    const out = new Map<string, number>();
    for (const conv of convs) {
      const last = this.convs.get(conv)?.at(-1)?.seq;
      if (last !== undefined) out.set(conv, last);
    }
    return out;
  }
}

function setup(options: { pageSize?: number; maxHeld?: number } = {}) {
  const log = new FakeLog();
  const delivered: { seq: number; conv: string; origin: string | undefined }[] = [];
  const repairs: { kind: RepairKind; conv: string; messages: number }[] = [];
  const errors: unknown[] = [];
  const seq = new ConversationSequencer({
    source: log,
    deliver: (m, origin) => delivered.push({ seq: m.seq, conv: m.conv, origin }),
    gapWaitMs: 100,
    tailCheckMs: 1000,
    onRepair: (kind, conv, messages) => repairs.push({ kind, conv, messages }),
    onError: (e) => errors.push(e),
    ...options,
  });
  const seqs = (conv = 'r') => delivered.filter((d) => d.conv === conv).map((d) => d.seq);
  return { log, seq, delivered, repairs, errors, seqs };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('ConversationSequencer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('delivers in order as it comes, drops duplicates and what is at or before the start', () => {
    const { seq, seqs } = setup();
    seq.track('r', 3);
    for (const s of [2, 3, 4, 4, 5, 3, 6]) seq.offer(msg(s));
    expect(seqs()).toEqual([4, 5, 6]);
    expect(seq.position('r')).toBe(6);
  });

  it('ignores conversations it does not track', () => {
    const { seq, delivered } = setup();
    seq.offer(msg(1, 'other'));
    expect(delivered).toEqual([]);
  });

  it('holds what arrives ahead of a gap and delivers it once the missing one arrives, without reading the store', async () => {
    const { seq, seqs, log, repairs } = setup();
    seq.track('r', 0);
    seq.offer(msg(1));
    seq.offer(msg(3));
    seq.offer(msg(4));
    expect(seqs()).toEqual([1]);
    seq.offer(msg(2));
    expect(seqs()).toEqual([1, 2, 3, 4]);
    await vi.advanceTimersByTimeAsync(500);
    expect(log.reads).toBe(0);
    expect(repairs).toEqual([]);
  });

  it('reads a gap that does not close within the wait from the store and keeps the held origins', async () => {
    const { seq, seqs, log, repairs, delivered } = setup();
    log.commit('r', 5);
    seq.track('r', 0);
    seq.offer(msg(1), 'n1');
    seq.offer(msg(4), 'n2');
    seq.offer(msg(5), 'n2');
    await vi.advanceTimersByTimeAsync(99);
    expect(seqs()).toEqual([1]);
    await vi.advanceTimersByTimeAsync(2);
    expect(seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(delivered.map((d) => d.origin)).toEqual(['n1', undefined, undefined, 'n2', 'n2']);
    expect(repairs).toEqual([{ kind: 'gap', conv: 'r', messages: 2 }]);
    // Late arrivals of the filled ones are duplicates now.
    seq.offer(msg(2));
    seq.offer(msg(3));
    expect(seqs()).toEqual([1, 2, 3, 4, 5]);
  });

  it('fills a long gap over several pages', async () => {
    const { seq, seqs, log } = setup({ pageSize: 7 });
    log.commit('r', 40);
    seq.track('r', 0);
    seq.offer(msg(40));
    await vi.advanceTimersByTimeAsync(150);
    expect(seqs()).toEqual(range(1, 40));
    expect(log.reads).toBeGreaterThanOrEqual(6);
  });

  it('reads from the store at once when more is ahead of a gap than it holds', async () => {
    const { seq, seqs, log } = setup({ maxHeld: 3 });
    log.commit('r', 10);
    seq.track('r', 0);
    for (const s of [2, 3, 4, 5, 6]) seq.offer(msg(s));
    await vi.advanceTimersByTimeAsync(1);
    expect(seqs()).toEqual(range(1, 10)); // the read delivers all the store has
    expect(log.reads).toBeGreaterThan(0);
  });

  it('skips over messages retention deleted from the store', async () => {
    const { seq, seqs, log } = setup();
    log.commit('r', 2);
    log.commit('r', 9, 6); // 3..5 were deleted
    seq.track('r', 1);
    seq.offer(msg(9));
    await vi.advanceTimersByTimeAsync(150);
    expect(seqs()).toEqual([2, 6, 7, 8, 9]);
  });

  it('does not skip what was committed during a fill: a message arriving mid-read is not taken for one past deleted messages', async () => {
    const { seq, seqs, log, repairs } = setup();
    log.readDelayMs = 20;
    log.commit('r', 3);
    seq.track('r', 0);
    seq.offer(msg(3)); // 1 and 2 are late: the gap wait runs out and the store is read
    await vi.advanceTimersByTimeAsync(105);
    // While the read is out, 4 and 5 commit; 5's publish overtakes 4's and arrives now.
    log.commit('r', 5, 4);
    seq.offer(msg(5), 'n2');
    await vi.advanceTimersByTimeAsync(20);
    // The read saw 1..3: 5 waits for 4, which the store has now.
    await vi.advanceTimersByTimeAsync(50);
    expect(seqs()).toEqual([1, 2, 3, 4, 5]);
    seq.offer(msg(4));
    expect(seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(repairs).toEqual([{ kind: 'gap', conv: 'r', messages: 3 }]);
  });

  it('still skips over deleted messages when what is held arrived before the read', async () => {
    const { seq, seqs, log } = setup();
    log.readDelayMs = 20;
    log.commit('r', 2);
    log.commit('r', 9, 6); // 3..5 were deleted
    seq.track('r', 1);
    seq.offer(msg(9));
    await vi.advanceTimersByTimeAsync(105);
    seq.offer(msg(10)); // arrives during the read, right behind 9
    log.commit('r', 10, 10);
    await vi.advanceTimersByTimeAsync(100);
    expect(seqs()).toEqual([2, 6, 7, 8, 9, 10]);
  });

  it('the tail check finds messages whose publish was lost, after giving them the gap wait', async () => {
    const { seq, seqs, log, repairs } = setup();
    seq.track('r', 0);
    seq.track('quiet', 0);
    log.commit('r', 3); // committed, never published
    await vi.advanceTimersByTimeAsync(1000);
    expect(seqs()).toEqual([]);
    await vi.advanceTimersByTimeAsync(101);
    expect(seqs()).toEqual([1, 2, 3]);
    expect(seqs('quiet')).toEqual([]);
    expect(repairs).toEqual([{ kind: 'tail', conv: 'r', messages: 3 }]);
  });

  it('a publish that arrives during the tail check wait is delivered from the bus, not repaired', async () => {
    const { seq, seqs, log, repairs } = setup();
    seq.track('r', 0);
    log.commit('r', 1);
    await vi.advanceTimersByTimeAsync(1000);
    seq.offer(msg(1));
    await vi.advanceTimersByTimeAsync(200);
    expect(seqs()).toEqual([1]);
    expect(repairs).toEqual([]);
  });

  it('retries a fill after the store failed, and reports the failure', async () => {
    const { seq, seqs, log, errors } = setup();
    log.commit('r', 3);
    seq.track('r', 0);
    log.failing = true;
    seq.offer(msg(3));
    await vi.advanceTimersByTimeAsync(150);
    expect(seqs()).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
    log.failing = false;
    await vi.advanceTimersByTimeAsync(1100);
    expect(seqs()).toEqual([1, 2, 3]);
  });

  it('stops at untrack: no delivery from a fill in flight, and a new track starts afresh', async () => {
    const { seq, seqs, log } = setup();
    log.commit('r', 5);
    seq.track('r', 0);
    seq.offer(msg(5));
    seq.untrack('r');
    await vi.advanceTimersByTimeAsync(200);
    expect(seqs()).toEqual([]);
    seq.track('r', 5);
    seq.offer(msg(6));
    expect(seqs()).toEqual([6]);
    expect(seq.isTracked('r')).toBe(true);
  });

  it('keeps conversations apart and delivers thousands of shuffled messages once each, in order', async () => {
    const { seq, seqs, log } = setup();
    const convs = ['a', 'b', 'c'];
    const offers: StoredMessage[] = [];
    for (const conv of convs) {
      log.commit(conv, 2000);
      seq.track(conv, 0);
      for (let s = 1; s <= 2000; s++) if (s % 97 !== 0) offers.push(msg(s, conv)); // some are lost
    }
    // Deterministic shuffle within a window, like two publishers interleaving.
    for (let i = offers.length - 1; i > 0; i--) {
      const j = Math.max(0, i - ((i * 7919) % 13));
      [offers[i], offers[j]] = [offers[j] as StoredMessage, offers[i] as StoredMessage];
    }
    for (const m of offers) seq.offer(m);
    await vi.advanceTimersByTimeAsync(2500);
    for (const conv of convs) expect(seqs(conv)).toEqual(range(1, 2000));
  });

  it('loses and doubles nothing while commits go on during slow reads and the bus reorders, delays and loses', async () => {
    const { seq, seqs, log } = setup();
    log.readDelayMs = 7;
    seq.track('r', 0);
    let state = 12345;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const total = 3000;
    for (let s = 1; s <= total; s++) {
      // One commit per millisecond; its publish arrives 0-150 ms later (past the gap wait at
      // times, so fills run while later commits land), or never.
      log.commit('r', s, s);
      if (random() >= 0.03) setTimeout(() => seq.offer(msg(s)), Math.floor(random() * random() * 150));
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(2500); // the tail check finds what was lost at the end
    expect(seqs()).toEqual(range(1, total));
  });

  it('close stops the timers and drops what arrives later', async () => {
    const { seq, delivered, log } = setup();
    seq.track('r', 0);
    seq.close();
    log.commit('r', 2);
    seq.offer(msg(1));
    await vi.advanceTimersByTimeAsync(3000);
    expect(delivered).toEqual([]);
    expect(seq.isTracked('r')).toBe(false);
  });
});
