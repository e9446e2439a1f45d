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
      expect(await store.setRead({ userId: 'u1', conv: '#r', seq: 5, at: 1 })).toBe(5);
      expect(await store.setRead({ userId: 'u1', conv: '#r', seq: 3, at: 2 })).toBe(5);
      expect(await store.setRead({ userId: 'u1', conv: '#r', seq: 9, at: 3 })).toBe(9);
      expect(await store.setRead({ userId: 'u1', conv: 'dm:u1:u2', seq: 2, at: 4 })).toBe(2);
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

    it('searches what people wrote in the listed conversations, newest first, every term, the last as a prefix', async () => {
      await store.appendMessages([
        msg('#s', 'the release is on friday'),
        msg('#s', 'Friday it is, the release party', { senderName: 'Bob', senderId: 'u2' }),
        msg('#s', 'ciphertext release', { kind: 'mls' }),
        msg('#other', 'release notes elsewhere'),
        msg('#s', 'moved the release to monday', { kind: 'edit', ref: 1 }),
        msg('#s', 'un café, merci'),
      ]);
      const texts = async (q: Partial<Parameters<Store['search']>[0]>) =>
        (await store.search({ terms: [], convs: ['#s'], limit: 10, ...q })).map((m) => m.text);
      expect(await texts({ terms: ['release', 'fri'] })).toEqual(['Friday it is, the release party', 'the release is on friday']);
      // Edits are found (and stand for their message); ciphertext never is; other conversations only when listed.
      expect(await texts({ terms: ['monday'] })).toEqual(['moved the release to monday']);
      expect((await store.search({ terms: ['monday'], convs: ['#s'], limit: 10 }))[0]).toMatchObject({ kind: 'edit', ref: 1 });
      expect(await texts({ terms: ['ciphertext'] })).toEqual([]);
      expect(await texts({ terms: ['notes'] })).toEqual([]);
      expect(await texts({ terms: ['notes'], convs: ['#s', '#other'] })).toEqual(['release notes elsewhere']);
      expect(await texts({ terms: ['release'], from: 'bob' })).toEqual(['Friday it is, the release party']);
      expect(await texts({ terms: ['release'], limit: 1 })).toHaveLength(1);
      expect(await texts({ terms: ['release'], after: fixture.clock - 3 })).toEqual(['moved the release to monday']);
      expect(await texts({ terms: ['cafe'] })).toHaveLength(store.kind === 'sqlite' ? 1 : 0);
      expect(await texts({ terms: ['café'] })).toEqual(['un café, merci']);
      // Redacted (blanked) and deleted messages are no longer found.
      await store.blank('#s', [1]);
      expect(await texts({ terms: ['friday'] })).toEqual(['Friday it is, the release party']);
      await store.deleteMessagesBefore(fixture.clock);
      expect(await texts({ terms: ['release'] })).toEqual([]);
    });
  });
}
