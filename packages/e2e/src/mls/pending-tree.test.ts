import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../bytes.ts';
import { decodeTree } from './codec.ts';
import { MlsGroup } from './group.ts';
import { createKeyPackage } from './key-package.ts';
import { membersOf } from './members.ts';
import { contextFor, testDevice, testUser } from './testing.ts';

describe('MlsGroup.pendingTree', () => {
  it("is the new epoch's ratchet tree: the Welcome's for an add, the only one for a remove", async () => {
    const [alice, bob] = await Promise.all([testUser('alice'), testUser('bob')]);
    const context = contextFor(alice, bob);
    const group = await MlsGroup.create(await testDevice(alice, 'laptop'), context);
    expect(() => group.pendingTree()).toThrow(expect.objectContaining({ code: 'E2E_NO_PENDING_COMMIT' }));

    const packages = await Promise.all([testDevice(bob, 'laptop'), testDevice(bob, 'phone')].map(async (d) => createKeyPackage(await d, context)));
    const add = await group.commitAdd(packages.map((p) => p.keyPackage));
    if (!add.welcome) throw new Error('an add commit has a Welcome');
    expect(bytesEqual(group.pendingTree(), add.welcome.ratchetTree)).toBe(true);
    await group.confirmCommit();

    await group.commitRemove([{ userId: 'bob', deviceId: 'phone' }]);
    const after = membersOf(decodeTree(group.pendingTree()), {}).map((m) => `${m.userId}/${m.deviceId}`);
    expect(after).toEqual(['alice/laptop', 'bob/laptop']);
    // The current epoch's tree is unchanged until the server confirms.
    expect(group.members().map((m) => m.deviceId)).toEqual(['laptop', 'laptop', 'phone']);
    await group.discardCommit();
    expect(() => group.pendingTree()).toThrow(expect.objectContaining({ code: 'E2E_NO_PENDING_COMMIT' }));
  });
});
