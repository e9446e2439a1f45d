import { describe, expect, it } from 'vitest';
import type { FederatedEventRecord } from '../federation-store.ts';
import type { NewMessage } from '../store.ts';
import { StoreError } from '../store.ts';
import { useFederationStore } from './sqlite-federation-fixture.ts';

const CONV = '#dev@b.example';
const msg = (text: string, extra: Partial<NewMessage> = {}): NewMessage => ({ conv: CONV, senderId: 'u7@ps1b', senderName: 'bob@b.example', target: CONV, text, createdAt: 5, ...extra });
const event = (seq: number, hash = `h${seq}`): FederatedEventRecord => ({ conv: CONV, seq, origin: 'ps1b', sub: seq * 10, hash, envelope: `{"seq":${seq}}` });

describe('SQLite federation store: mirroring a room homed elsewhere (appendReplica)', () => {
  const t = useFederationStore();
  const texts = async (): Promise<[number, string][]> => (await t.store.history(CONV, { limit: 100 })).map((m) => [m.seq, m.text]);

  it('takes a first event at any seq and holds its message at that seq', async () => {
    // A join asks for the last seq first, which the store caches: the jump to 57 must not be undone by it.
    expect(await t.store.lastSeq(CONV)).toBe(0);
    const result = await t.fed.appendReplica(event(57), msg('joined late'));
    expect(result).toEqual({ kind: 'stored', message: expect.objectContaining({ conv: CONV, seq: 57, text: 'joined late', senderId: 'u7@ps1b' }) });
    expect(await texts()).toEqual([[57, 'joined late']]);
    expect(await t.store.lastSeq(CONV)).toBe(57);
    expect(await t.fed.lastEventSeq(CONV)).toBe(57);
    expect(await t.fed.eventsAfter(CONV, 0, 10)).toEqual([event(57)]);
  });

  it('stores the message under the event conversation, whatever the message names', async () => {
    const result = await t.fed.appendReplica(event(3), msg('x', { conv: '#elsewhere' }));
    expect(result).toMatchObject({ kind: 'stored', message: { conv: CONV, seq: 3 } });
    expect(await t.store.lastSeq('#elsewhere')).toBe(0);
  });

  it('then takes only seq + 1; a later one is a gap naming the last, and nothing is stored', async () => {
    await t.fed.appendReplica(event(57), msg('57'));
    expect(await t.fed.appendReplica(event(59), msg('59'))).toEqual({ kind: 'gap', last: 57 });
    expect(await texts()).toEqual([[57, '57']]);
    expect(await t.fed.lastEventSeq(CONV)).toBe(57);

    expect(await t.fed.appendReplica(event(58), msg('58'))).toMatchObject({ kind: 'stored', message: { seq: 58 } });
    expect(await t.fed.appendReplica(event(59), msg('59'))).toMatchObject({ kind: 'stored', message: { seq: 59 } });
    expect(await texts()).toEqual([
      [57, '57'],
      [58, '58'],
      [59, '59'],
    ]);
    expect(await t.store.lastSeq(CONV)).toBe(59);
  });

  it('the same (conv, seq) with the same hash is a duplicate, with another hash a conflict carrying the stored one', async () => {
    await t.fed.appendReplica(event(10), msg('ten'));
    await t.fed.appendReplica(event(11), msg('eleven'));
    expect(await t.fed.appendReplica(event(10), msg('ten'))).toEqual({ kind: 'duplicate' });
    expect(await t.fed.appendReplica(event(11, 'other'), msg('eleven, rewritten'))).toEqual({ kind: 'conflict', stored: 'h11' });
    expect(await t.fed.appendReplica(event(10, 'forged'), msg('ten, rewritten'))).toEqual({ kind: 'conflict', stored: 'h10' });
    expect(await texts()).toEqual([
      [10, 'ten'],
      [11, 'eleven'],
    ]);
    expect((await t.fed.eventsAfter(CONV, 0, 10)).map((e) => e.hash)).toEqual(['h10', 'h11']);
  });

  it('a seq at or below the last that was never stored (before the mirror started) is a duplicate', async () => {
    await t.fed.appendReplica(event(57), msg('57'));
    expect(await t.fed.appendReplica(event(12), msg('old'))).toEqual({ kind: 'duplicate' });
    expect(await t.fed.appendReplica(event(56), msg('just before'))).toEqual({ kind: 'duplicate' });
    expect(await texts()).toEqual([[57, '57']]);
  });

  it('keeps conversations apart: each has its own first event and chain', async () => {
    await t.fed.appendReplica(event(5), msg('a5'));
    const other: FederatedEventRecord = { ...event(1), conv: '#ops@b.example', sub: 999 };
    expect(await t.fed.appendReplica(other, msg('o1', { conv: '#ops@b.example' }))).toMatchObject({ kind: 'stored', message: { seq: 1 } });
    expect(await t.fed.lastEventSeq('#ops@b.example')).toBe(1);
    expect(await t.fed.lastEventSeq(CONV)).toBe(5);
  });

  it('a message log that ran ahead of the events fails the append, rolls it back, and stays usable', async () => {
    await t.fed.appendReplica(event(57), msg('57'));
    // Another path writes seq 58 locally: the home's 58 can no longer land at 58.
    const [local] = await t.store.appendMessages([msg('local 58')]);
    expect(local!.message.seq).toBe(58);

    const error = await t.fed.appendReplica(event(58), msg('home 58')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'conflict' });
    expect(await texts()).toEqual([
      [57, '57'],
      [58, 'local 58'],
    ]);
    expect(await t.fed.lastEventSeq(CONV)).toBe(57);
    expect(await t.store.lastSeq(CONV)).toBe(58);
    // The failed append's seq 59 is not left in the cache: the next message gets 59, not 60.
    const [next] = await t.store.appendMessages([msg('next')]);
    expect(next!.message.seq).toBe(59);
    expect(await t.store.lastSeq(CONV)).toBe(59);
  });

  it('a first event below what the message log already holds is refused and changes nothing', async () => {
    await t.store.appendMessages([msg('1'), msg('2'), msg('3')]);
    await expect(t.fed.appendReplica(event(2), msg('home 2'))).rejects.toBeInstanceOf(StoreError);
    expect(await texts()).toEqual([
      [1, '1'],
      [2, '2'],
      [3, '3'],
    ]);
    expect(await t.store.lastSeq(CONV)).toBe(3);
    expect(await t.fed.lastEventSeq(CONV)).toBe(0);
    const [next] = await t.store.appendMessages([msg('4')]);
    expect(next!.message.seq).toBe(4);
  });

  it('a repeated (origin, sub) under another seq is refused, and nothing of it is stored', async () => {
    await t.fed.appendReplica(event(1), msg('one'));
    const replay: FederatedEventRecord = { ...event(2), sub: event(1).sub };
    await expect(t.fed.appendReplica(replay, msg('replayed'))).rejects.toBeInstanceOf(StoreError);
    expect(await texts()).toEqual([[1, 'one']]);
    expect(await t.store.lastSeq(CONV)).toBe(1);
    expect(await t.fed.appendReplica(event(2), msg('two'))).toMatchObject({ kind: 'stored', message: { seq: 2 } });
  });

  it('survives a reopen: the chain continues at last + 1 and repeats stay duplicates', async () => {
    await t.fed.appendReplica(event(57), msg('57'));
    await t.fed.appendReplica(event(58), msg('58'));
    await t.store.close();
    await t.reopen();
    expect(await t.fed.appendReplica(event(58), msg('58'))).toEqual({ kind: 'duplicate' });
    expect(await t.fed.appendReplica(event(60), msg('60'))).toEqual({ kind: 'gap', last: 58 });
    expect(await t.fed.appendReplica(event(59), msg('59'))).toMatchObject({ kind: 'stored', message: { seq: 59 } });
    expect(await t.fed.eventOfSubmission('ps1b', event(57).sub)).toEqual(event(57));
    expect(await t.store.lastSeq(CONV)).toBe(59);
  });
});
