import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, dmConversation, type NewMessage, type Store, type StoredMessage } from '@parley/server';
import { describeDirectoryConformance } from './store-conformance-directory.ts';
import { describeModerationConformance } from './store-conformance-moderation.ts';
import { expectStoreError } from './store-conformance-helpers.ts';

export type StoreFactory = () => Promise<{ store: Store; cleanup?: () => Promise<void> }>;

/**
 * The behaviour every Store implementation must share. The factory is called once per test and
 * must return an empty store; the suite closes the store itself before calling `cleanup`.
 * Things a factory cannot express (reopening, schema versions, engine settings) belong in the
 * implementation's own tests.
 */
export function describeStoreConformance(name: string, factory: StoreFactory): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    let cleanup: (() => Promise<void>) | undefined;
    let clock = 1_700_000_000_000;

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
      clock = 1_700_000_000_000;
    });

    afterEach(async () => {
      await store.close();
      await cleanup?.();
    });

    const room = '#general';
    const other = '#random';

    function msg(conv: string, text: string, extra: Partial<NewMessage> = {}): NewMessage {
      return {
        conv,
        senderId: 'u1',
        senderName: 'alice',
        target: conv.startsWith('#') ? conv : 'bob',
        text,
        createdAt: clock++,
        ...extra,
      };
    }

    async function appendTexts(conv: string, count: number): Promise<void> {
      const batch = Array.from({ length: count }, (_, i) => msg(conv, `m${i + 1}`));
      await store.appendMessages(batch);
    }

    const seqs = (messages: readonly StoredMessage[]): number[] => messages.map((m) => m.seq);

    async function account(nameKey: string): Promise<number> {
      const created = await store.createAccount({ name: nameKey, nameKey, passwordHash: 'h' });
      return created.id;
    }


    describe('appendMessages', () => {
      it('starts at seq 1 and stays gapless within and across batches', async () => {
        const first = await store.appendMessages([msg(room, 'a'), msg(room, 'b')]);
        const second = await store.appendMessages([msg(room, 'c')]);
        const third = await store.appendMessages([msg(room, 'd'), msg(room, 'e'), msg(room, 'f')]);
        expect([...first, ...second, ...third].map((r) => r.message.seq)).toEqual([1, 2, 3, 4, 5, 6]);
        expect([...first, ...second, ...third].every((r) => !r.duplicate)).toBe(true);
      });

      it('numbers conversations independently', async () => {
        const dm = dmConversation('u1', 'u2');
        const results = await store.appendMessages([
          msg(room, 'r1'),
          msg(other, 'o1'),
          msg(room, 'r2'),
          msg(dm, 'd1'),
          msg(other, 'o2'),
          msg(room, 'r3'),
        ]);
        expect(results.map((r) => [r.message.conv, r.message.seq])).toEqual([
          [room, 1],
          [other, 1],
          [room, 2],
          [dm, 1],
          [other, 2],
          [room, 3],
        ]);
        const more = await store.appendMessages([msg(dm, 'd2'), msg(other, 'o3')]);
        expect(more.map((r) => r.message.seq)).toEqual([2, 3]);
      });

      it('returns results in input order with the stored fields', async () => {
        const input = [
          msg(room, 'first', { senderId: 'u2', senderName: 'bob', cmid: 'c-1' }),
          msg(other, 'second'),
          msg(room, 'third'),
        ];
        const results = await store.appendMessages(input);
        expect(results.map((r) => r.message.text)).toEqual(['first', 'second', 'third']);
        expect(results[0]?.message).toEqual({
          conv: room,
          seq: 1,
          senderId: 'u2',
          senderName: 'bob',
          target: room,
          text: 'first',
          cmid: 'c-1',
          createdAt: input[0]?.createdAt,
        });
        expect(await store.history(room, { limit: 10 })).toEqual([
          results[0]?.message,
          results[2]?.message,
        ]);
      });

      it('leaves cmid absent (not null) when none was given', async () => {
        const [result] = await store.appendMessages([msg(room, 'no cmid')]);
        expect(result?.message).not.toHaveProperty('cmid');
        const [stored] = await store.history(room, { limit: 1 });
        expect(stored).not.toHaveProperty('cmid');
        expect(stored).not.toHaveProperty('pendingFor');
      });

      it('accepts an empty batch', async () => {
        expect(await store.appendMessages([])).toEqual([]);
        expect(await store.lastSeq(room)).toBe(0);
      });

      it('dedupes a cmid across batches and returns the original', async () => {
        const [original] = await store.appendMessages([msg(room, 'hello', { cmid: 'x' })]);
        await store.appendMessages([msg(room, 'between')]);
        const [retry] = await store.appendMessages([msg(room, 'hello again', { cmid: 'x' })]);
        expect(retry?.duplicate).toBe(true);
        expect(retry?.message).toEqual(original?.message);
        expect(retry?.message.seq).toBe(1);
        expect(seqs(await store.history(room, { limit: 10 }))).toEqual([1, 2]);
        expect(await store.lastSeq(room)).toBe(2);
      });

      it('dedupes a cmid repeated within one batch', async () => {
        const results = await store.appendMessages([
          msg(room, 'one', { cmid: 'x' }),
          msg(room, 'two'),
          msg(room, 'one (retry)', { cmid: 'x' }),
          msg(room, 'three'),
        ]);
        expect(results.map((r) => [r.message.seq, r.duplicate])).toEqual([
          [1, false],
          [2, false],
          [1, true],
          [3, false],
        ]);
        expect(results[2]?.message.text).toBe('one');
        expect((await store.history(room, { limit: 10 })).map((m) => m.text)).toEqual([
          'one',
          'two',
          'three',
        ]);
      });

      it('keys cmid by conversation and sender', async () => {
        const results = await store.appendMessages([
          msg(room, 'a', { cmid: 'same' }),
          msg(other, 'b', { cmid: 'same' }),
          msg(room, 'c', { cmid: 'same', senderId: 'u2', senderName: 'bob' }),
        ]);
        expect(results.map((r) => r.duplicate)).toEqual([false, false, false]);
        expect(await store.lastSeq(room)).toBe(2);
        expect(await store.lastSeq(other)).toBe(1);
      });

      it('does not queue a duplicate again', async () => {
        const bob = await account('bob');
        await store.appendMessages([msg(room, 'hi', { cmid: 'x', pendingFor: [bob] })]);
        await store.clearPending(bob, [{ conv: room, seq: 1 }]);
        await store.appendMessages([msg(room, 'hi', { cmid: 'x', pendingFor: [bob] })]);
        expect(await store.pendingFor(bob, 10)).toEqual([]);
      });

      it('commits nothing from a batch that fails midway', async () => {
        const bob = await account('bob');
        await store.appendMessages([msg(room, 'before')]);
        // A message the store cannot hold: every implementation must refuse a null body.
        const bad = msg(room, null as unknown as string);
        await expectStoreError(
          store.appendMessages([
            msg(room, 'ok 1', { pendingFor: [bob] }),
            msg(other, 'ok 2', { cmid: 'c', pendingFor: [bob] }),
            bad,
            msg(room, 'never reached'),
          ]),
          'failed',
        );
        expect((await store.history(room, { limit: 10 })).map((m) => m.text)).toEqual(['before']);
        expect(await store.history(other, { limit: 10 })).toEqual([]);
        expect(await store.lastSeq(room)).toBe(1);
        expect(await store.lastSeq(other)).toBe(0);
        expect(await store.pendingFor(bob, 10)).toEqual([]);

        // The store is still usable, and the failed batch consumed no sequence numbers or cmids.
        const retry = await store.appendMessages([msg(room, 'after'), msg(other, 'ok 2', { cmid: 'c' })]);
        expect(retry.map((r) => [r.message.seq, r.duplicate])).toEqual([
          [2, false],
          [1, false],
        ]);
      });
    });

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

      it('deletes messages created before the cutoff, and only those', async () => {
        const base = clock;
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
        await store.deleteMessagesBefore(clock + 1);
        const [next] = await store.appendMessages([msg(room, 'later')]);
        expect(next?.message.seq).toBe(4);
      });

      it('drops deleted messages from offline queues', async () => {
        const bob = await account('bob');
        await store.appendMessages([msg(room, 'old', { pendingFor: [bob] })]);
        const cutoff = clock;
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

    describeDirectoryConformance(() => store);
    describeModerationConformance(() => store);

    describe('close', () => {
      it('can be called twice', async () => {
        await store.close();
        await store.close();
      });
    });
  });
}
