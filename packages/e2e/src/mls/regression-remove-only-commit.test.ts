import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../bytes.ts';
import { MlsGroup } from './group.ts';
import { createKeyPackage } from './key-package.ts';
import { contextFor, testDevice, testUser } from './testing.ts';

/**
 * ts-mls 1.6.2 and 2.0.0-rc.10: a member removed by a commit that carries only a Remove proposal
 * could still derive the next epoch and decrypt later messages (reproduced, E2E.md). 1.6.4 fixes
 * it; this is why the pin is exact. The removed device must stay behind, in its old epoch.
 */
describe('regression: a member removed by a Remove-only commit cannot read later messages', () => {
  it('stays in the old epoch, never holds the new epoch secrets, and reads nothing after', async () => {
    const [alice, bob, carol] = await Promise.all([testUser('alice'), testUser('bob'), testUser('carol')]);
    const context = contextFor(alice, bob, carol);
    const a = await MlsGroup.create(await testDevice(alice, 'laptop'), context);
    const packages = await Promise.all([testDevice(bob, 'laptop'), testDevice(carol, 'laptop')].map(async (d) => createKeyPackage(await d, context)));
    const add = await a.commitAdd(packages.map((p) => p.keyPackage));
    await a.confirmCommit();
    if (!add.welcome) throw new Error('welcome');
    const { welcome, ratchetTree } = add.welcome;
    const [b, c] = await Promise.all(packages.map((p) => MlsGroup.join({ welcome, ratchetTree, bundle: p.bundle }, context)));
    if (!b || !c) throw new Error('joined');

    const removeOnly = await a.commitRemove([{ userId: 'carol', deviceId: 'laptop' }]);
    await a.confirmCommit();
    await b.receive(removeOnly.commit);
    const copyBefore = c.save();
    expect(await c.receive(removeOnly.commit)).toMatchObject({ kind: 'commit', removedSelf: true });

    expect(c.active).toBe(false);
    expect(c.epoch).toBe(1);
    expect(a.epoch).toBe(2);
    expect(bytesEqual(c.epochAuthenticator(), a.epochAuthenticator())).toBe(false);
    expect(bytesEqual(b.epochAuthenticator(), a.epochAuthenticator())).toBe(true);

    const later = await b.encrypt(new TextEncoder().encode('carol must not read this'));
    expect(await a.receive(later)).toMatchObject({ kind: 'application' });
    await expect(c.receive(later)).rejects.toMatchObject({ code: 'E2E_NOT_MEMBER' });
    // A copy of Carol's state from before the commit is one epoch behind and stays there.
    await expect(MlsGroup.load(copyBefore, context).receive(later)).rejects.toMatchObject({ code: 'E2E_FUTURE_EPOCH' });
  });
});
