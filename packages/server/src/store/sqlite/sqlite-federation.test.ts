import { describe, expect, it } from 'vitest';
import type { Sealer } from '../federation-store.ts';
import type { NewMessage } from '../store.ts';
import { StoreError } from '../store.ts';
import { useFederationStore } from './sqlite-federation-fixture.ts';

const CONV = '#dev';
const msg = (text: string, extra: Partial<NewMessage> = {}): NewMessage => ({ conv: CONV, senderId: 'u1', senderName: 'alice', target: CONV, text, createdAt: 1, ...extra });

interface SealCall {
  seq: number;
  text: string;
  prev: string;
  index: number | undefined;
  sub: number;
}

/** A deterministic sealer that records what the store handed it; its hash names the seq and the link it was given. */
function recordingSealer(): { seal: Sealer; calls: SealCall[] } {
  const calls: SealCall[] = [];
  const seal: Sealer = (message, { prev, index, nextSub }) => {
    const sub = nextSub();
    calls.push({ seq: message.seq, text: message.text, prev, index, sub });
    return { origin: 'ps1home', sub, hash: `h${message.seq}`, envelope: JSON.stringify({ seq: message.seq, text: message.text, prev }) };
  };
  return { seal, calls };
}

describe('SQLite federation store: sealing a room homed here', () => {
  const t = useFederationStore();

  it('seals every message after the start, in seq order, each chained to the one before', async () => {
    await t.store.appendMessages([msg('before 1'), msg('before 2')]);
    await t.fed.startSealing(CONV);
    const { seal, calls } = recordingSealer();
    const results = await t.fed.appendSealed(CONV, [msg('a'), msg('b'), msg('c')], seal);

    expect(results.map((r) => [r.message.seq, r.duplicate])).toEqual([
      [3, false],
      [4, false],
      [5, false],
    ]);
    // Messages from before startSealing get no event; the first sealed one starts the chain at ''.
    expect(calls.map((c) => [c.seq, c.text, c.prev, c.index])).toEqual([
      [3, 'a', '', 0],
      [4, 'b', 'h3', 1],
      [5, 'c', 'h4', 2],
    ]);
    const events = await t.fed.eventsAfter(CONV, 0, 100);
    expect(events.map((e) => [e.conv, e.seq, e.hash, e.origin])).toEqual([
      [CONV, 3, 'h3', 'ps1home'],
      [CONV, 4, 'h4', 'ps1home'],
      [CONV, 5, 'h5', 'ps1home'],
    ]);
    expect(events.map((e) => e.sub)).toEqual(calls.map((c) => c.sub));
    expect(await t.fed.lastEventSeq(CONV)).toBe(5);
    expect((await t.store.history(CONV, { limit: 10 })).map((m) => m.text)).toEqual(['before 1', 'before 2', 'a', 'b', 'c']);
  });

  it('chains a later batch to the last event of the earlier one', async () => {
    await t.fed.startSealing(CONV);
    const { seal, calls } = recordingSealer();
    await t.fed.appendSealed(CONV, [msg('a')], seal);
    await t.fed.appendSealed(CONV, [msg('b')], seal);
    expect(calls.map((c) => [c.seq, c.prev])).toEqual([
      [1, ''],
      [2, 'h1'],
    ]);
  });

  it('seals what appendMessages wrote since, before the batch, with index undefined', async () => {
    await t.fed.startSealing(CONV);
    const { seal, calls } = recordingSealer();
    await t.fed.appendSealed(CONV, [msg('sealed 1')], seal);
    await t.store.appendMessages([msg('other path 2'), msg('other path 3')]);
    const results = await t.fed.appendSealed(CONV, [msg('batch 4'), msg('batch 5')], seal);

    expect(results.map((r) => r.message.seq)).toEqual([4, 5]);
    expect(calls.map((c) => [c.seq, c.text, c.prev, c.index])).toEqual([
      [1, 'sealed 1', '', 0],
      [2, 'other path 2', 'h1', undefined],
      [3, 'other path 3', 'h2', undefined],
      [4, 'batch 4', 'h3', 0],
      [5, 'batch 5', 'h4', 1],
    ]);
    expect((await t.fed.eventsAfter(CONV, 0, 100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('an empty batch seals what another path wrote, from the start mark', async () => {
    await t.store.appendMessages([msg('old')]);
    await t.fed.startSealing(CONV);
    await t.store.appendMessages([msg('new 2'), msg('new 3')]);
    const { seal, calls } = recordingSealer();
    expect(await t.fed.appendSealed(CONV, [], seal)).toEqual([]);
    expect(calls.map((c) => [c.seq, c.prev, c.index])).toEqual([
      [2, '', undefined],
      [3, 'h2', undefined],
    ]);
    expect(await t.fed.lastEventSeq(CONV)).toBe(3);
    // Nothing left to catch up: a second empty batch seals nothing.
    await t.fed.appendSealed(CONV, [], seal);
    expect(calls).toHaveLength(2);
  });

  it('a repeated cmid is returned as a duplicate and seals nothing new', async () => {
    await t.fed.startSealing(CONV);
    const { seal, calls } = recordingSealer();
    const [first] = await t.fed.appendSealed(CONV, [msg('hello', { cmid: 'c1' })], seal);
    const results = await t.fed.appendSealed(CONV, [msg('hello again', { cmid: 'c1' }), msg('fresh', { cmid: 'c2' })], seal);

    expect(results[0]).toEqual({ message: first!.message, duplicate: true });
    expect(results[1]).toMatchObject({ message: { seq: 2, text: 'fresh' }, duplicate: false });
    // The new message keeps its own place in the batch (1), not the count of sealed ones.
    expect(calls.map((c) => [c.seq, c.text, c.index])).toEqual([
      [1, 'hello', 0],
      [2, 'fresh', 1],
    ]);
    expect((await t.fed.eventsAfter(CONV, 0, 100)).map((e) => e.seq)).toEqual([1, 2]);
    expect(await t.store.lastSeq(CONV)).toBe(2);
  });

  it('a duplicate of a message the other path wrote is caught up once, not sealed twice', async () => {
    await t.fed.startSealing(CONV);
    await t.store.appendMessages([msg('via writer', { cmid: 'c9' })]);
    const { seal, calls } = recordingSealer();
    const [result] = await t.fed.appendSealed(CONV, [msg('via writer', { cmid: 'c9' })], seal);
    expect(result).toMatchObject({ message: { seq: 1 }, duplicate: true });
    expect(calls.map((c) => [c.seq, c.index])).toEqual([[1, undefined]]);
  });

  it('appendSealed before startSealing rejects and stores nothing', async () => {
    const { seal, calls } = recordingSealer();
    const error = await t.fed.appendSealed(CONV, [msg('a')], seal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'conflict' });
    expect(calls).toEqual([]);
    expect(await t.store.lastSeq(CONV)).toBe(0);
    expect(await t.store.history(CONV, { limit: 10 })).toEqual([]);
  });

  it('startSealing is idempotent and does not move the start once it is set or events exist', async () => {
    await t.fed.startSealing(CONV);
    await t.store.appendMessages([msg('1'), msg('2')]);
    // A second start after messages arrived keeps the first start (0): both are sealed.
    await t.fed.startSealing(CONV);
    const { seal, calls } = recordingSealer();
    await t.fed.appendSealed(CONV, [], seal);
    expect(calls.map((c) => c.seq)).toEqual([1, 2]);

    await t.store.appendMessages([msg('3')]);
    await t.fed.startSealing(CONV);
    await t.fed.appendSealed(CONV, [], seal);
    // Still chained from event 2, not restarted at the log's last seq.
    expect(calls.map((c) => [c.seq, c.prev])).toEqual([
      [1, ''],
      [2, 'h1'],
      [3, 'h2'],
    ]);
  });

  it('the start mark survives a reopen', async () => {
    await t.store.appendMessages([msg('before')]);
    await t.fed.startSealing(CONV);
    await t.reopen();
    await t.store.appendMessages([msg('after')]);
    await t.fed.startSealing(CONV);
    const { seal, calls } = recordingSealer();
    await t.fed.appendSealed(CONV, [], seal);
    expect(calls.map((c) => [c.seq, c.text])).toEqual([[2, 'after']]);
  });

  it('a sealer that throws rolls back the whole batch, and the log takes the next message at the right seq', async () => {
    await t.fed.startSealing(CONV);
    await t.store.appendMessages([msg('1')]);
    const failing: Sealer = (message) => {
      if (message.seq === 3) throw new Error('no key');
      return { origin: 'ps1home', sub: message.seq, hash: `h${message.seq}`, envelope: '{}' };
    };
    await expect(t.fed.appendSealed(CONV, [msg('2'), msg('3')], failing)).rejects.toThrow('no key');
    expect(await t.fed.lastEventSeq(CONV)).toBe(0);
    expect(await t.store.lastSeq(CONV)).toBe(1);
    expect((await t.store.history(CONV, { limit: 10 })).map((m) => m.text)).toEqual(['1']);
    const [next] = await t.store.appendMessages([msg('after failure')]);
    expect(next!.message.seq).toBe(2);
  });

  it('hands the sealer unique submission numbers that continue across a reopen, shared with nextSub', async () => {
    await t.fed.startSealing(CONV);
    const { seal, calls } = recordingSealer();
    await t.fed.appendSealed(CONV, [msg('a'), msg('b')], seal);
    const direct = await t.fed.nextSub();
    await t.reopen();
    await t.store.appendMessages([msg('caught up')]);
    await t.fed.appendSealed(CONV, [msg('c')], seal);
    const afterReopen = await t.fed.nextSub();

    // In the order they were handed out: strictly increasing, so never repeated, and a reopen
    // does not reset the counter.
    const handedOut = [calls[0]!.sub, calls[1]!.sub, direct, calls[2]!.sub, calls[3]!.sub, afterReopen];
    expect(calls).toHaveLength(4);
    handedOut.slice(1).forEach((sub, i) => expect(sub).toBeGreaterThan(handedOut[i]!));
  });

  it('events and their submissions survive a reopen', async () => {
    await t.fed.startSealing(CONV);
    const { seal, calls } = recordingSealer();
    await t.fed.appendSealed(CONV, [msg('a'), msg('b')], seal);
    const before = await t.fed.eventsAfter(CONV, 0, 10);
    await t.reopen();
    expect(await t.fed.eventsAfter(CONV, 0, 10)).toEqual(before);
    expect(await t.fed.eventOfSubmission('ps1home', calls[1]!.sub)).toEqual(before[1]);
    expect(JSON.parse(before[1]!.envelope)).toEqual({ seq: 2, text: 'b', prev: 'h1' });
    // After a reopen the chain continues from the stored last event.
    await t.fed.appendSealed(CONV, [msg('c')], seal);
    expect(calls.at(-1)).toMatchObject({ seq: 3, prev: 'h2' });
  });
});
