import { beforeEach, describe, expect, it } from 'vitest';
import { dmConversation, type Store } from '@parley/server';
import { storeFixture } from './store-conformance-helpers.ts';

/**
 * directConversations: each person's direct conversations, newest first, for a device that
 * has none of them yet. Called from describeStoreConformance with the same per-test store.
 */
export function describeConversationsConformance(current: () => Store): void {
  describe('directConversations', () => {
    let store: Store;
    const fixture = storeFixture(() => store);
    const { msg, account } = fixture;
    beforeEach(() => {
      store = current();
      fixture.resetClock();
    });

    /** A DM from one user to another, as send.ts stores it: `target` is the recipient's name. */
    const dm = (from: { id: string; name: string }, to: { id: string; name: string }, text: string) =>
      msg(dmConversation(from.id, to.id), text, { senderId: from.id, senderName: from.name, target: to.name });

    it('lists the conversations a user is in, from either side, newest first, with the other person', async () => {
      const alice = { id: `a${await account('alice')}`, name: 'alice' };
      const bob = { id: `a${await account('bob')}`, name: 'bob' };
      const dave = { id: 'gabc1', name: 'dave' };
      const erin = { id: 'a999', name: 'erin' };
      await store.appendMessages([dm(alice, bob, 'hi bob'), dm(dave, alice, 'hi alice'), dm(bob, alice, 'hi back')]);
      await store.appendMessages([dm(alice, alice, 'note to self'), dm(dave, erin, 'not alice'), msg('#general', 'a room')]);
      await store.appendMessages([dm(alice, dave, 'bye dave')]);

      const list = await store.directConversations(alice.id, 10);
      expect(list.map((c) => [c.conv, c.peerId, c.peerName, c.lastSeq])).toEqual([
        [dmConversation(alice.id, dave.id), dave.id, 'dave', 2],
        [dmConversation(alice.id, alice.id), alice.id, 'alice', 1],
        [dmConversation(alice.id, bob.id), bob.id, 'bob', 2],
      ]);
      expect(list[0]!.lastAt).toBeGreaterThan(list[1]!.lastAt);
      expect(list[1]!.lastAt).toBeGreaterThan(list[2]!.lastAt);
      expect((await store.directConversations(dave.id, 10)).map((c) => c.peerName)).toEqual(['alice', 'erin']);
      expect(await store.directConversations('gnobody', 10)).toEqual([]);
    });

    it("names a guest as its newest message does, and an account by the account's name", async () => {
      const alice = { id: `a${await account('Alice')}`, name: 'Alice' };
      const guest = { id: 'gabc2', name: 'dave' };
      await store.appendMessages([dm(guest, alice, 'I am dave'), dm({ ...guest, name: 'davey' }, alice, 'now davey')]);
      // The sender's name in a message can be stale or differently spelled; the account's is not.
      await store.appendMessages([dm({ ...alice, name: 'alice' }, { ...guest, name: 'davey' }, 'hello davey')]);
      expect((await store.directConversations(alice.id, 10)).map((c) => c.peerName)).toEqual(['davey']);
      expect((await store.directConversations(guest.id, 10)).map((c) => c.peerName)).toEqual(['Alice']);
    });

    it('keeps to the limit, and leaves out conversations retention emptied', async () => {
      const peers = Array.from({ length: 5 }, (_, i) => ({ id: `gp${i}`, name: `p${i}` }));
      const me = { id: 'gme', name: 'me' };
      for (const peer of peers) await store.appendMessages([dm(peer, me, `from ${peer.name}`)]);
      expect((await store.directConversations(me.id, 2)).map((c) => c.peerName)).toEqual(['p4', 'p3']);
      expect(await store.directConversations(me.id, 0)).toEqual([]);
      await store.deleteMessagesBefore(fixture.clock - 2);
      expect((await store.directConversations(me.id, 10)).map((c) => c.peerName)).toEqual(['p4', 'p3']);
    });
  });
}
