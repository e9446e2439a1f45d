import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '@parley/server';
import { expectStoreError, storeFixture } from './store-conformance-helpers.ts';

/**
 * The accounts and rooms part of the Store contract. Called from describeStoreConformance with
 * the same per-test store, so every implementation that runs the main suite runs this too.
 */
export function describeDirectoryConformance(current: () => Store): void {
  describe('accounts and rooms', () => {
    let store: Store;
    const { msg, appendTexts, seqs, account } = storeFixture(() => store);
    beforeEach(() => {
      store = current();
    });

    const room = '#general';
    const other = '#random';

    describe('accounts', () => {
      it('creates and finds accounts by name key', async () => {
        const before = Date.now();
        const created = await store.createAccount({ name: 'Alice', nameKey: 'alice', passwordHash: 'hash-a' });
        expect(created).toMatchObject({ name: 'Alice', nameKey: 'alice', passwordHash: 'hash-a' });
        expect(Number.isInteger(created.id)).toBe(true);
        expect(created.createdAt).toBeGreaterThanOrEqual(before);
        expect(created.createdAt).toBeLessThanOrEqual(Date.now());
        expect(await store.findAccount('alice')).toEqual(created);
        expect(await store.findAccount('nobody')).toBeUndefined();

        const second = await store.createAccount({ name: 'Bob', nameKey: 'bob', passwordHash: 'hash-b' });
        expect(second.id).not.toBe(created.id);
      });

      it('rejects a taken name key with conflict', async () => {
        await store.createAccount({ name: 'Alice', nameKey: 'alice', passwordHash: 'h' });
        await expectStoreError(
          store.createAccount({ name: 'ALICE', nameKey: 'alice', passwordHash: 'h2' }),
          'conflict',
        );
        expect((await store.findAccount('alice'))?.name).toBe('Alice');
        expect(await store.countAccounts()).toBe(1);
      });

      it('counts accounts', async () => {
        expect(await store.countAccounts()).toBe(0);
        await account('a');
        await account('b');
        await account('c');
        expect(await store.countAccounts()).toBe(3);
      });
    });

    describe('rooms and membership', () => {
      const general = { key: '#general', name: '#General', topic: 'hello', createdBy: 'alice' };
      const random = { key: '#random', name: '#random', topic: '', createdBy: 'bob' };

      it('creates and lists rooms', async () => {
        const before = Date.now();
        const created = await store.createRoom(general);
        expect(created).toMatchObject(general);
        expect(created.createdAt).toBeGreaterThanOrEqual(before);
        await store.createRoom(random);
        const listed = await store.listRooms();
        expect(listed.map((r) => r.key).sort()).toEqual(['#general', '#random']);
        expect(listed.find((r) => r.key === '#general')).toEqual(created);
      });

      it('rejects an existing room key with conflict', async () => {
        await store.createRoom(general);
        await expectStoreError(store.createRoom({ ...general, name: '#GENERAL', topic: 'x' }), 'conflict');
        const listed = await store.listRooms();
        expect(listed).toHaveLength(1);
        expect(listed[0]?.topic).toBe('hello');
      });

      it('sets the topic', async () => {
        await store.createRoom(general);
        await store.setTopic('#general', 'new topic');
        expect((await store.listRooms())[0]?.topic).toBe('new topic');
      });

      it('deletes rooms and their memberships', async () => {
        const alice = await account('alice');
        await store.createRoom(general);
        await store.createRoom(random);
        await store.addMember('#general', alice);
        await store.addMember('#random', alice);
        expect(await store.deleteRoom('#general')).toBe(true);
        expect(await store.deleteRoom('#general')).toBe(false);
        expect(await store.deleteRoom('#nowhere')).toBe(false);
        expect((await store.listRooms()).map((r) => r.key)).toEqual(['#random']);
        expect(await store.roomsOf(alice)).toEqual(['#random']);

        // A recreated room starts without the old members.
        await store.createRoom(general);
        expect(await store.roomsOf(alice)).toEqual(['#random']);
      });

      it('deletes a room\'s messages but keeps its sequence going for a recreated room', async () => {
        await store.createRoom(general);
        await appendTexts(room, 3);
        await appendTexts(other, 1);
        expect(await store.deleteRoom(room)).toBe(true);
        expect(await store.history(room, { limit: 10 })).toEqual([]);
        expect(seqs(await store.history(other, { limit: 10 }))).toEqual([1]);
        expect(await store.lastSeq(room)).toBe(3);
        await store.createRoom(general);
        const [next] = await store.appendMessages([msg(room, 'again')]);
        expect(next?.message.seq).toBe(4);
      });

      it('adds members idempotently and removes them', async () => {
        const alice = await account('alice');
        const bob = await account('bob');
        await store.createRoom(general);
        await store.createRoom(random);
        expect(await store.roomsOf(alice)).toEqual([]);
        await store.addMember('#general', alice);
        await store.addMember('#general', alice);
        await store.addMember('#random', alice);
        await store.addMember('#random', bob);
        expect((await store.roomsOf(alice)).sort()).toEqual(['#general', '#random']);
        expect(await store.roomsOf(bob)).toEqual(['#random']);

        await store.removeMember('#general', alice);
        await store.removeMember('#general', alice);
        await store.removeMember('#general', bob);
        expect(await store.roomsOf(alice)).toEqual(['#random']);
        expect(await store.roomsOf(bob)).toEqual(['#random']);
      });

      it('says whether a room has stored members', async () => {
        const alice = await account('alice');
        await store.createRoom(general);
        expect(await store.hasMembers('#general')).toBe(false);
        expect(await store.hasMembers('#nowhere')).toBe(false);
        await store.addMember('#general', alice);
        expect(await store.hasMembers('#general')).toBe(true);
        await store.removeMember('#general', alice);
        expect(await store.hasMembers('#general')).toBe(false);
      });

      it('lists a room\'s stored members with their names, and makes a room encrypted from its creation', async () => {
        const alice = await account('alice');
        const bob = await account('bob');
        const created = await store.createRoom({ ...general, encrypted: true });
        expect(created.modes.encrypted).toBe(true);
        expect(await store.roomMembers('#general')).toEqual([]);
        await store.addMember('#general', bob);
        await store.addMember('#general', alice);
        expect(await store.roomMembers('#general')).toEqual([
          { accountId: alice, name: 'alice' },
          { accountId: bob, name: 'bob' },
        ]);
        await store.removeMember('#general', alice);
        expect(await store.roomMembers('#general')).toEqual([{ accountId: bob, name: 'bob' }]);
        expect((await store.listRooms()).find((r) => r.key === '#general')?.modes.encrypted).toBe(true);
      });
    });

  });
}
