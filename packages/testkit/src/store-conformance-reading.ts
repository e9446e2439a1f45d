import { beforeEach, describe, expect, it } from 'vitest';
import { dmConversation, type Store } from '@parley/server';
import { storeFixture } from './store-conformance-helpers.ts';

/**
 * Reading messages back: history pages, sequence numbers and retention, and the offline queue.
 * Called from describeStoreConformance with the same per-test store.
 */
export function describeReadingConformance(current: () => Store): void {
  describe('reading messages back', () => {
    let store: Store;
    const fixture = storeFixture(() => store);
    const { msg, appendTexts, seqs, account } = fixture;
    beforeEach(() => {
      store = current();
      fixture.resetClock();
    });

    const room = '#general';
    const other = '#random';

    describe('history', () => {
      beforeEach(async () => {
        await appendTexts(room, 10);
        await appendTexts(other, 3);
      });

      it('is empty for an unknown conversation', async () => {
        expect(await store.history('#nowhere', { limit: 10 })).toEqual([]);
        expect(await store.history('#nowhere', { after: 0, limit: 10 })).toEqual([]);
      });

      it('returns the newest page in ascending order', async () => {
        expect(seqs(await store.history(room, { limit: 3 }))).toEqual([8, 9, 10]);
        expect(seqs(await store.history(room, { limit: 50 }))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      });

      it('pages backwards with before', async () => {
        expect(seqs(await store.history(room, { before: 8, limit: 3 }))).toEqual([5, 6, 7]);
        expect(seqs(await store.history(room, { before: 3, limit: 10 }))).toEqual([1, 2]);
        expect(await store.history(room, { before: 1, limit: 10 })).toEqual([]);
      });

      it('pages forwards with after', async () => {
        expect(seqs(await store.history(room, { after: 0, limit: 3 }))).toEqual([1, 2, 3]);
        expect(seqs(await store.history(room, { after: 5, limit: 3 }))).toEqual([6, 7, 8]);
        expect(seqs(await store.history(room, { after: 8, limit: 10 }))).toEqual([9, 10]);
        expect(await store.history(room, { after: 10, limit: 10 })).toEqual([]);
      });

      it('takes the first messages of a range with after and before', async () => {
        expect(seqs(await store.history(room, { after: 2, before: 7, limit: 10 }))).toEqual([3, 4, 5, 6]);
        expect(seqs(await store.history(room, { after: 2, before: 7, limit: 2 }))).toEqual([3, 4]);
        expect(await store.history(room, { after: 4, before: 5, limit: 10 })).toEqual([]);
      });

      it('returns only the requested conversation', async () => {
        const page = await store.history(other, { limit: 10 });
        expect(page.map((m) => [m.conv, m.seq, m.text])).toEqual([
          [other, 1, 'm1'],
          [other, 2, 'm2'],
          [other, 3, 'm3'],
        ]);
      });
    });

    describe('lastSeq and retention', () => {
      it('reports 0 for an empty conversation and the highest seq otherwise', async () => {
        expect(await store.lastSeq(room)).toBe(0);
        await appendTexts(room, 4);
        await appendTexts(other, 2);
        expect(await store.lastSeq(room)).toBe(4);
        expect(await store.lastSeq(other)).toBe(2);
      });

      it('reports the last seqs of many conversations at once, leaving out those without messages', async () => {
        expect(await store.lastSeqs([room, other])).toEqual(new Map());
        await appendTexts(room, 3);
        await appendTexts(other, 1);
        expect(await store.lastSeqs([room, other, '#nothing', room])).toEqual(new Map([[room, 3], [other, 1]]));
        expect(await store.lastSeqs([])).toEqual(new Map());
      });

      it('keeps a deleted room conversation\'s last seq in lastSeqs too', async () => {
        await appendTexts(room, 2);
        await store.deleteMessagesBefore(fixture.clock + 1);
        expect(await store.lastSeqs([room])).toEqual(new Map([[room, 2]]));
      });

      it('deletes messages created before the cutoff, and only those', async () => {
        const base = fixture.clock;
        await appendTexts(room, 5); // createdAt base .. base+4
        await appendTexts(other, 2); // base+5, base+6
        expect(await store.deleteMessagesBefore(base + 3)).toBe(3);
        expect(seqs(await store.history(room, { limit: 10 }))).toEqual([4, 5]);
        expect(seqs(await store.history(other, { limit: 10 }))).toEqual([1, 2]);
        expect(await store.deleteMessagesBefore(base + 3)).toBe(0);
        expect(await store.deleteMessagesBefore(base + 100)).toBe(4);
        expect(await store.history(room, { limit: 10 })).toEqual([]);
      });

      it('never reuses sequence numbers after deletion', async () => {
        await appendTexts(room, 3);
        await store.deleteMessagesBefore(fixture.clock + 1);
        const [next] = await store.appendMessages([msg(room, 'later')]);
        expect(next?.message.seq).toBe(4);
      });

      it('drops deleted messages from offline queues', async () => {
        const bob = await account('bob');
        await store.appendMessages([msg(room, 'old', { pendingFor: [bob] })]);
        const cutoff = fixture.clock;
        await store.appendMessages([msg(room, 'new', { pendingFor: [bob] })]);
        await store.deleteMessagesBefore(cutoff);
        expect((await store.pendingFor(bob, 10)).map((m) => m.text)).toEqual(['new']);
      });
    });

    describe('offline queue', () => {
      let bob: number;
      let carol: number;

      beforeEach(async () => {
        bob = await account('bob');
        carol = await account('carol');
      });

      it('returns queued messages oldest first, per conversation by seq', async () => {
        const dm = dmConversation('u1', 'u-bob');
        await store.appendMessages([
          msg(room, 'r1', { pendingFor: [bob] }),
          msg(dm, 'd1', { pendingFor: [bob] }),
          msg(room, 'r2', { pendingFor: [bob, carol] }),
          msg(room, 'r3'),
        ]);
        await store.appendMessages([msg(dm, 'd2', { pendingFor: [bob] })]);
        const queued = await store.pendingFor(bob, 10);
        expect(queued.map((m) => [m.conv, m.seq, m.text])).toEqual([
          [room, 1, 'r1'],
          [dm, 1, 'd1'],
          [room, 2, 'r2'],
          [dm, 2, 'd2'],
        ]);
        expect(queued[0]).toEqual((await store.history(room, { limit: 1, after: 0 }))[0]);
        expect((await store.pendingFor(bob, 2)).map((m) => m.text)).toEqual(['r1', 'd1']);
        expect((await store.pendingFor(carol, 10)).map((m) => m.text)).toEqual(['r2']);
      });

      it('is empty for an account with nothing queued', async () => {
        await store.appendMessages([msg(room, 'r1', { pendingFor: [bob] })]);
        expect(await store.pendingFor(carol, 10)).toEqual([]);
      });

      it('clears only the given messages of the given account', async () => {
        await store.appendMessages([
          msg(room, 'r1', { pendingFor: [bob, carol] }),
          msg(other, 'o1', { pendingFor: [bob, carol] }),
          msg(room, 'r2', { pendingFor: [bob, carol] }),
        ]);
        await store.clearPending(bob, [
          { conv: room, seq: 1 },
          { conv: other, seq: 1 },
        ]);
        expect((await store.pendingFor(bob, 10)).map((m) => m.text)).toEqual(['r2']);
        expect((await store.pendingFor(carol, 10)).map((m) => m.text)).toEqual(['r1', 'o1', 'r2']);

        await store.clearPending(bob, []);
        await store.clearPending(bob, [{ conv: room, seq: 1 }]); // already cleared: no-op
        await store.clearPending(bob, [{ conv: '#nowhere', seq: 7 }]);
        expect((await store.pendingFor(bob, 10)).map((m) => m.text)).toEqual(['r2']);
        await store.clearPending(bob, [{ conv: room, seq: 2 }]);
        expect(await store.pendingFor(bob, 10)).toEqual([]);
      });

      it('clears a large delivery in one call', async () => {
        await store.appendMessages(
          Array.from({ length: 1200 }, (_, i) => msg(i % 2 === 0 ? room : other, `m${i}`, { pendingFor: [bob] })),
        );
        const queued = await store.pendingFor(bob, 2000);
        expect(queued).toHaveLength(1200);
        await store.clearPending(bob, queued.slice(0, 1199));
        expect((await store.pendingFor(bob, 2000)).map((m) => m.text)).toEqual(['m1199']);
      });
    });
  });
}
