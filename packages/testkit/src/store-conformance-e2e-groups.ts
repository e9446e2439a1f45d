import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '@parley/server';
import { expectStoreError, storeFixture } from './store-conformance-helpers.ts';

// The server's index exports the Store but not the e2e part's records; they are the Store's.
type E2e = Store['e2e'];
type GroupDevice = Parameters<E2e['isGroupMember']>[1];
type CommitInput = Parameters<E2e['commitGroup']>[0];
export type E2eDevice = Parameters<E2e['registerDevice']>[0]['device'];
export type KeyPackage = Parameters<E2e['addKeyPackages']>[0]['packages'][number];
type Upload = Partial<Omit<Parameters<E2e['addKeyPackages']>[0], 'userId' | 'deviceId' | 'packages'>>;

const DAY = 86_400_000;

/** Devices, registrations and KeyPackages for the e2e suites, on the current test's store. */
export function e2eFixture(current: () => Store) {
  let n = 0;
  // Relative to the real clock: a store may drop packages expired by its own clock.
  const later = Date.now() + DAY;
  return {
    later,
    device(userId: string, deviceId: string, createdAt = 1000 + n): E2eDevice {
      n++;
      return { userId, deviceId, certificate: `cert-${deviceId}-${n}`, deviceKey: `key-${deviceId}-${n}`, createdAt };
    },
    register(device: E2eDevice, extra: { identityKey?: string; replace?: boolean; maxDevices?: number } = {}): Promise<{ first: boolean }> {
      return current().e2e.registerDevice({ identityKey: `identity-${device.userId}`, device, replace: false, maxDevices: 10, ...extra });
    },
    kp: (ref: string, notAfter = later): KeyPackage => ({ ref, data: `data-${ref}`, notAfter }),
    upload(device: E2eDevice, packages: readonly KeyPackage[], extra: Upload = {}): Promise<{ stored: number; count: number }> {
      return current().e2e.addKeyPackages({ userId: device.userId, deviceId: device.deviceId, packages, max: 100, ...extra });
    },
  };
}

/**
 * The groups and Welcomes of the e2e part of the Store contract: creating a conversation's
 * group, commits (the compare-and-set on the epoch, membership, the appended message, the
 * Welcomes) and what deletes them. Called from describeE2eConformance with the same store.
 */
export function describeE2eGroupConformance(current: () => Store): void {
  describe('e2e groups', () => {
    let store: Store;
    const { msg } = storeFixture(() => store);
    const { device, register } = e2eFixture(() => store);
    beforeEach(() => {
      store = current();
    });

    const conv = '#secret';
    const alice: GroupDevice = { userId: 'a1', deviceId: 'laptop' };
    const bob: GroupDevice = { userId: 'a2', deviceId: 'phone' };
    const carol: GroupDevice = { userId: 'g7', deviceId: 'web' };
    const createGroup = (extra: { groupId?: string; conv?: string } = {}) => store.e2e.createGroup({ groupId: 'g-1', conv, tree: 'tree-0', creator: alice, createdAt: 500, ...extra });
    // g-1 is the group of #secret; g-2, where a test makes one, of #other.
    const commit = (epoch: number, extra: Partial<CommitInput> = {}): CommitInput => ({
      groupId: 'g-1',
      epoch,
      tree: `tree-${epoch + 1}`,
      added: [],
      removed: [],
      message: msg(extra.groupId === 'g-2' ? '#other' : conv, `commit-${epoch}`, { kind: 'mls_commit', senderId: 'a1' }),
      ...extra,
    });
    const members = (groupId = 'g-1') => store.e2e.groupMembers(groupId);

    it('creates a conversation’s group at epoch 0 with its creator as the only member', async () => {
      const group = await createGroup();
      expect(group).toEqual({ groupId: 'g-1', conv, epoch: 0, tree: 'tree-0', createdAt: 500 });
      expect(await store.e2e.groupOfConv(conv)).toEqual(group);
      expect(await store.e2e.groupOfConv('#other')).toBeUndefined();
      expect(await members()).toEqual([alice]);
      expect(await store.e2e.isGroupMember('g-1', alice)).toBe(true);
      expect(await store.e2e.isGroupMember('g-1', bob)).toBe(false);
      expect(await store.e2e.isGroupMember('g-2', alice)).toBe(false);
    });

    it('refuses a second group for a conversation, or a group id taken, with conflict', async () => {
      await createGroup();
      await expectStoreError(createGroup({ groupId: 'g-2' }), 'conflict');
      await expectStoreError(createGroup({ conv: '#other' }), 'conflict');
      expect(await store.e2e.groupOfConv('#other')).toBeUndefined();
      expect(await members('g-2')).toEqual([]);
    });

    it('accepts a commit for the current epoch: the epoch, tree, members, message and Welcomes change together', async () => {
      await createGroup();
      await store.appendMessages([msg(conv, 'before')]);
      const input = commit(0, { added: [bob, carol, bob], welcome: 'welcome-1' });
      const result = await store.e2e.commitGroup(input);
      expect(result).toEqual({ accepted: true, epoch: 1, message: { conv, seq: 2, senderId: 'a1', senderName: 'alice', target: conv, text: 'commit-0', kind: 'mls_commit', createdAt: input.message.createdAt } });
      expect(await store.e2e.groupOfConv(conv)).toMatchObject({ epoch: 1, tree: 'tree-1' });
      expect(await members()).toEqual([alice, bob, carol]);
      expect((await store.history(conv, { limit: 10 })).map((m) => [m.seq, m.text, m.kind])).toEqual([
        [1, 'before', undefined],
        [2, 'commit-0', 'mls_commit'],
      ]);
      const welcome = { groupId: 'g-1', conv, epoch: 1, seq: 2, welcome: 'welcome-1', tree: 'tree-1', createdAt: input.message.createdAt };
      expect(await store.e2e.welcomesFor(bob)).toEqual([{ ...bob, ...welcome }]);
      expect(await store.e2e.welcomesFor(carol)).toEqual([{ ...carol, ...welcome }]);
      expect(await store.e2e.welcomesFor(alice)).toEqual([]);

      // Removing and adding in one commit; no Welcome without one given. Seqs carry on after it.
      const second = await store.e2e.commitGroup(commit(1, { removed: [bob, { userId: 'a2', deviceId: 'gone' }], added: [{ userId: 'a2', deviceId: 'tablet' }] }));
      expect(second).toMatchObject({ accepted: true, epoch: 2, message: { seq: 3 } });
      expect(await members()).toEqual([alice, { userId: 'a2', deviceId: 'tablet' }, carol]);
      expect(await store.e2e.welcomesFor({ userId: 'a2', deviceId: 'tablet' })).toEqual([]);
      const [after] = await store.appendMessages([msg(conv, 'after')]);
      expect(after?.message.seq).toBe(4);
      expect(await store.lastSeq(conv)).toBe(4);
    });

    it('keeps every message kind when reading back', async () => {
      await store.appendMessages([msg(conv, 'ciphertext', { kind: 'mls' }), msg(conv, 'waves', { kind: 'action' })]);
      expect((await store.history(conv, { limit: 10 })).map((m) => m.kind)).toEqual(['mls', 'action']);
    });

    it('answers the current epoch for a commit of an epoch the group left, changing nothing', async () => {
      await createGroup();
      await store.e2e.commitGroup(commit(0, { added: [bob] }));
      for (const epoch of [0, 5]) {
        expect(await store.e2e.commitGroup(commit(epoch, { removed: [bob], added: [carol], welcome: 'w' }))).toEqual({ accepted: false, epoch: 1 });
      }
      expect(await store.e2e.groupOfConv(conv)).toMatchObject({ epoch: 1, tree: 'tree-1' });
      expect(await members()).toEqual([alice, bob]);
      expect(await store.e2e.welcomesFor(carol)).toEqual([]);
      expect(await store.lastSeq(conv)).toBe(1);
    });

    it('rejects a commit to a group that does not exist with conflict', async () => {
      await expectStoreError(store.e2e.commitGroup(commit(0)), 'conflict');
      expect(await store.lastSeq(conv)).toBe(0);
    });

    it('refuses a commit whose message repeats a stored cmid, changing nothing', async () => {
      await createGroup();
      await store.appendMessages([msg(conv, 'first', { senderId: 'a1', cmid: 'c-1' })]);
      const repeat = commit(0, { added: [bob], welcome: 'w' });
      await expectStoreError(store.e2e.commitGroup({ ...repeat, message: { ...repeat.message, cmid: 'c-1' } }), 'conflict');
      expect(await store.e2e.groupOfConv(conv)).toMatchObject({ epoch: 0 });
      expect(await members()).toEqual([alice]);
      expect(await store.e2e.welcomesFor(bob)).toEqual([]);
      expect(await store.lastSeq(conv)).toBe(1);
      expect(await store.e2e.commitGroup(commit(0))).toMatchObject({ accepted: true, message: { seq: 2 } });
      expect((await store.appendMessages([msg(conv, 'next')]))[0]?.message.seq).toBe(3);
    });

    it('commits nothing of a commit that fails after its message, and seqs stay gapless', async () => {
      await createGroup();
      await store.appendMessages([msg(conv, 'before')]);
      // A Welcome the store cannot hold: it fails after the message is appended.
      await expectStoreError(store.e2e.commitGroup(commit(0, { added: [bob], welcome: null as unknown as string })), 'failed');
      expect(await store.e2e.groupOfConv(conv)).toMatchObject({ epoch: 0, tree: 'tree-0' });
      expect(await members()).toEqual([alice]);
      expect(await store.lastSeq(conv)).toBe(1);
      expect(await store.e2e.commitGroup(commit(0, { added: [bob], welcome: 'w' }))).toMatchObject({ accepted: true, message: { seq: 2 } });
      expect((await store.appendMessages([msg(conv, 'after')]))[0]?.message.seq).toBe(3);
      expect((await store.history(conv, { limit: 10 })).map((m) => m.seq)).toEqual([1, 2, 3]);
    });

    it('accepts exactly one of two concurrent commits for the same epoch', async () => {
      await createGroup();
      const results = await Promise.all([store.e2e.commitGroup(commit(0, { added: [bob] })), store.e2e.commitGroup(commit(0, { added: [carol] }))]);
      const accepted = results.filter((r) => r.accepted);
      expect(accepted).toHaveLength(1);
      expect(results.filter((r) => !r.accepted)).toEqual([{ accepted: false, epoch: 1 }]);
      expect((await store.history(conv, { limit: 10 })).map((m) => m.seq)).toEqual([1]);
      expect(await members()).toHaveLength(2);
    });

    it('a newer Welcome for a device and group replaces the older one; Welcomes come oldest first', async () => {
      await createGroup();
      await store.e2e.createGroup({ groupId: 'g-2', conv: '#other', tree: 'other-0', creator: alice, createdAt: 1 });
      await store.e2e.commitGroup(commit(0, { added: [bob], welcome: 'w-1' }));
      await store.e2e.commitGroup(commit(0, { groupId: 'g-2', tree: 'other-1', added: [bob], welcome: 'w-other' }));
      await store.e2e.commitGroup(commit(1, { removed: [bob] }));
      const readd = commit(2, { added: [bob, carol], welcome: 'w-3' });
      await store.e2e.commitGroup(readd);
      expect((await store.e2e.welcomesFor(bob)).map((w) => [w.groupId, w.welcome, w.epoch, w.seq, w.tree])).toEqual([
        ['g-2', 'w-other', 1, 1, 'other-1'],
        ['g-1', 'w-3', 3, 3, 'tree-3'],
      ]);
      await store.e2e.deleteWelcome(bob, 'g-1');
      await store.e2e.deleteWelcome(bob, 'g-9');
      expect((await store.e2e.welcomesFor(bob)).map((w) => w.groupId)).toEqual(['g-2']);
      expect((await store.e2e.welcomesFor(carol)).map((w) => w.welcome)).toEqual(['w-3']);
    });

    it('deleteGroupOfConv deletes the group with its members and Welcomes, and only that one', async () => {
      await createGroup();
      await store.e2e.createGroup({ groupId: 'g-2', conv: '#other', tree: 't', creator: alice, createdAt: 1 });
      await store.e2e.commitGroup(commit(0, { added: [bob], welcome: 'w' }));
      await store.e2e.commitGroup(commit(0, { groupId: 'g-2', added: [bob], welcome: 'w-other' }));
      await store.e2e.deleteGroupOfConv(conv);
      await store.e2e.deleteGroupOfConv('#nothing');
      expect(await store.e2e.groupOfConv(conv)).toBeUndefined();
      expect(await members()).toEqual([]);
      expect((await store.e2e.welcomesFor(bob)).map((w) => w.groupId)).toEqual(['g-2']);
      // The conversation may get a group again, under the old id too.
      expect(await createGroup()).toMatchObject({ groupId: 'g-1', epoch: 0 });
    });

    it('deleteRoom deletes the room’s group with its members and Welcomes', async () => {
      await store.createRoom({ key: conv, name: conv, topic: '', createdBy: 'alice' });
      await createGroup();
      await store.e2e.commitGroup(commit(0, { added: [bob], welcome: 'w' }));
      expect(await store.deleteRoom(conv)).toBe(true);
      expect(await store.e2e.groupOfConv(conv)).toBeUndefined();
      expect(await members()).toEqual([]);
      expect(await store.e2e.welcomesFor(bob)).toEqual([]);
      expect(await store.history(conv, { limit: 10 })).toEqual([]);
    });

    it('removeDevice deletes the device’s Welcomes but not its memberships', async () => {
      await register(device(bob.userId, bob.deviceId));
      await createGroup();
      await store.e2e.commitGroup(commit(0, { added: [bob, carol], welcome: 'w' }));
      expect(await store.e2e.removeDevice(bob.userId, bob.deviceId)).toBe(true);
      expect(await store.e2e.welcomesFor(bob)).toEqual([]);
      expect(await store.e2e.welcomesFor(carol)).toHaveLength(1);
      expect(await store.e2e.isGroupMember('g-1', bob)).toBe(true);
    });

    it('a new identity key deletes the Welcomes of the user’s old devices', async () => {
      await register(device(bob.userId, bob.deviceId));
      await createGroup();
      await store.e2e.commitGroup(commit(0, { added: [bob], welcome: 'w' }));
      await register(device(bob.userId, 'laptop'), { identityKey: 'new', replace: true });
      expect(await store.e2e.welcomesFor(bob)).toEqual([]);
    });

    it('forgetUser deletes the identity, devices, key packages, Welcomes and memberships of the user only', async () => {
      const bobsLaptop = device(bob.userId, 'laptop');
      await register(device(bob.userId, bob.deviceId));
      await register(bobsLaptop);
      await register(device(carol.userId, carol.deviceId));
      await store.e2e.addKeyPackages({ ...bob, packages: [{ ref: 'r', data: 'd', notAfter: Date.now() + 60_000 }], max: 10 });
      await createGroup();
      await store.e2e.commitGroup(commit(0, { added: [bob, { userId: bob.userId, deviceId: 'laptop' }, carol], welcome: 'w' }));
      await store.e2e.forgetUser(bob.userId);
      expect(await store.e2e.identity(bob.userId)).toBeUndefined();
      expect(await store.e2e.devices(bob.userId)).toEqual([]);
      expect(await store.e2e.keyPackageCount(bob.userId, bob.deviceId)).toBe(0);
      expect(await store.e2e.welcomesFor(bob)).toEqual([]);
      expect(await members()).toEqual([alice, carol]);
      expect(await store.e2e.welcomesFor(carol)).toHaveLength(1);
      expect((await store.e2e.devices(carol.userId)).map((d) => d.deviceId)).toEqual(['web']);
      // The user starts over: the first device again takes the identity key.
      expect(await register(bobsLaptop, { identityKey: 'another' })).toEqual({ first: true });
    });
  });
}
