import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '@parley/server';
import { storeFixture } from './store-conformance-helpers.ts';

/**
 * What happens to messages after they are sent (store/message-state.ts): the events about a
 * message read back by the message, blanking, read positions that only rise, and unread counts.
 * Called from describeStoreConformance with the same per-test store.
 */
export function describeMessageStateConformance(current: () => Store): void {
  describe('message state', () => {
    let store: Store;
    const fixture = storeFixture(() => store);
    const { msg } = fixture;
    beforeEach(() => {
      store = current();
      fixture.resetClock();
    });

    it('keeps ref on replies and events, and reads back the events about given messages in seq order', async () => {
      await store.appendMessages([msg('#r', 'first'), msg('#r', 'second')]);
      const [reply, edit, react, other, redact] = await store.appendMessages([
        msg('#r', 'a reply', { ref: 1 }),
        msg('#r', 'first, edited', { kind: 'edit', ref: 1 }),
        msg('#r', '👍', { kind: 'react', ref: 1, senderId: 'u2', senderName: 'bob' }),
        msg('#r', '🎉', { kind: 'react', ref: 2 }),
        msg('#r', '', { kind: 'redact', ref: 2 }),
      ]);
      expect(reply!.message).toMatchObject({ seq: 3, ref: 1 });
      expect(reply!.message.kind).toBeUndefined();
      const history = await store.history('#r', { limit: 10 });
      expect(history.map((m) => [m.seq, m.kind ?? null, m.ref ?? null])).toEqual([
        [1, null, null],
        [2, null, null],
        [3, null, 1],
        [4, 'edit', 1],
        [5, 'react', 1],
        [6, 'react', 2],
        [7, 'redact', 2],
      ]);
      expect((await store.about('#r', [1])).map((m) => m.seq)).toEqual([edit!.message.seq, react!.message.seq]);
      // A reply is not an event about the message it answers.
      expect((await store.about('#r', [2, 1])).map((m) => m.seq)).toEqual([4, 5, other!.message.seq, redact!.message.seq]);
      expect(await store.about('#r', [])).toEqual([]);
      expect(await store.about('#other', [1])).toEqual([]);
    });

    it('blanks the text of the listed messages only', async () => {
      await store.appendMessages([msg('#b', 'secret'), msg('#b', 'secret, edited', { kind: 'edit', ref: 1 }), msg('#b', 'keep')]);
      await store.blank('#b', [1, 2]);
      expect((await store.history('#b', { limit: 10 })).map((m) => m.text)).toEqual(['', '', 'keep']);
    });

    it('raises a read position and never lowers it', async () => {
      expect(await store.setRead('u1', '#r', 5, 1)).toBe(5);
      expect(await store.setRead('u1', '#r', 3, 2)).toBe(5);
      expect(await store.setRead('u1', '#r', 9, 3)).toBe(9);
      expect(await store.setRead('u1', 'dm:u1:u2', 2, 4)).toBe(2);
      expect(await store.readPositions('u1')).toEqual(new Map([['#r', 9], ['dm:u1:u2', 2]]));
      expect(await store.readPositions('u2')).toEqual(new Map());
    });

    it("counts others' messages after a position, not edits, reactions, redactions or group changes, up to the cap", async () => {
      await store.appendMessages([
        msg('#u', 'mine'),
        msg('#u', 'theirs 1', { senderId: 'u2' }),
        msg('#u', 'theirs 2', { senderId: 'u2', kind: 'action' }),
        msg('#u', 'edit', { senderId: 'u2', kind: 'edit', ref: 2 }),
        msg('#u', '👍', { senderId: 'u2', kind: 'react', ref: 1 }),
        msg('#u', 'ciphertext', { senderId: 'u3', kind: 'mls' }),
        msg('#u', 'commit', { senderId: 'u3', kind: 'mls_commit' }),
      ]);
      const counts = await store.unreadCounts('u1', [{ conv: '#u', after: 0 }, { conv: '#u2', after: 0 }], 99);
      expect(counts.get('#u')).toBe(3);
      expect(counts.get('#u2') ?? 0).toBe(0);
      expect((await store.unreadCounts('u1', [{ conv: '#u', after: 2 }], 99)).get('#u')).toBe(2);
      expect((await store.unreadCounts('u1', [{ conv: '#u', after: 0 }], 2)).get('#u')).toBe(2);
      expect((await store.unreadCounts('u2', [{ conv: '#u', after: 0 }], 99)).get('#u')).toBe(2);
    });
  });
}
