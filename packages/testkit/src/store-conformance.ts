import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dmConversation, type Store } from '@parley/server';
import { describeDeviceConformance } from './store-conformance-devices.ts';
import { describeAccountKeyConformance } from './store-conformance-keys.ts';
import { describeConversationsConformance } from './store-conformance-conversations.ts';
import { describeMessageStateConformance } from './store-conformance-message-state.ts';
import { describeDirectoryConformance } from './store-conformance-directory.ts';
import { describeE2eConformance } from './store-conformance-e2e.ts';
import { describeModerationConformance } from './store-conformance-moderation.ts';
import { expectStoreError, storeFixture } from './store-conformance-helpers.ts';
import { describeReadingConformance } from './store-conformance-reading.ts';

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
    const fixture = storeFixture(() => store);
    const { msg, seqs, account } = fixture;

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
      fixture.resetClock();
    });

    afterEach(async () => {
      await store.close();
      await cleanup?.();
    });

    const room = '#general';
    const other = '#random';

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

    describeReadingConformance(() => store);
    describeDirectoryConformance(() => store);
    describeConversationsConformance(() => store);
    describeMessageStateConformance(() => store);
    describeModerationConformance(() => store);
    describeDeviceConformance(() => store);
    describeAccountKeyConformance(() => store);
    describeE2eConformance(() => store);

    describe('close', () => {
      it('can be called twice', async () => {
        await store.close();
        await store.close();
      });
    });
  });
}
