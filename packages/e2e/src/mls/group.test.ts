import { describe, expect, it } from 'vitest';
import { MlsGroup } from './group.ts';
import { createKeyPackage, welcomeRecipients } from './key-package.ts';
import { bytesEqual } from '../bytes.ts';
import { contextFor, testDevice, testUser } from './testing.ts';

const text = (s: string) => new TextEncoder().encode(s);
const read = (b: Uint8Array) => new TextDecoder().decode(b);

async function readAs(group: MlsGroup, message: Uint8Array): Promise<string> {
  const incoming = await group.receive(message);
  if (incoming.kind !== 'application') throw new Error(`expected application data, got ${incoming.kind}`);
  return read(incoming.data);
}

async function world() {
  const [alice, bob] = await Promise.all([testUser('alice'), testUser('bob')]);
  const context = contextFor(alice, bob);
  const devices = await Promise.all([testDevice(alice, 'laptop'), testDevice(alice, 'phone'), testDevice(bob, 'laptop'), testDevice(bob, 'phone')]);
  return { alice, bob, context, devices };
}

/** Commits, has the server "accept" it, and lets every other member process it. */
async function settle(committer: MlsGroup, output: { commit: Uint8Array }, others: MlsGroup[]): Promise<void> {
  await committer.confirmCommit();
  for (const other of others) {
    const incoming = await other.receive(output.commit);
    expect(incoming.kind).toBe('commit');
  }
}

describe('MlsGroup: two users with two devices each', () => {
  it('builds a 4-device group, exchanges messages both ways, adds a device that reads only later messages, removes one that reads no more', async () => {
    const { alice, bob, context, devices } = await world();
    const [aliceLaptop, alicePhone, bobLaptop, bobPhone] = devices as [typeof devices[0], typeof devices[0], typeof devices[0], typeof devices[0]];
    const a1 = await MlsGroup.create(aliceLaptop, context);
    const packages = await Promise.all([alicePhone, bobLaptop, bobPhone].map((d) => createKeyPackage(d, context)));
    const added = await a1.commitAdd(packages.map((p) => p.keyPackage));
    expect(added.epoch).toBe(0);
    expect(a1.hasPendingCommit).toBe(true);
    await a1.confirmCommit();
    expect(a1.epoch).toBe(1);

    const welcome = added.welcome;
    if (!welcome) throw new Error('an add commit has a Welcome');
    expect(welcomeRecipients(welcome.welcome)).toHaveLength(3);
    const [a2, b1, b2] = await Promise.all(packages.map((p) => MlsGroup.join({ welcome: welcome.welcome, ratchetTree: welcome.ratchetTree, bundle: p.bundle }, context)));
    if (!a2 || !b1 || !b2) throw new Error('joined');
    const group = [a1, a2, b1, b2];
    for (const g of group) expect(bytesEqual(g.epochAuthenticator(), a1.epochAuthenticator())).toBe(true);
    expect(a1.members().map((m) => `${m.userId}/${m.deviceId}`)).toEqual(['alice/laptop', 'alice/phone', 'bob/laptop', 'bob/phone']);

    // A joiner's first act is an update commit: the Add gave it no fresh path (E2E.md pitfall 8).
    const update = await b1.commitUpdate();
    await settle(b1, update, [a1, a2, b2]);
    expect(new Set(group.map((g) => g.epoch))).toEqual(new Set([2]));

    const hello = await a1.encrypt(text('hello bob'));
    expect(await readAs(b1, hello)).toBe('hello bob');
    expect(await readAs(b2, hello)).toBe('hello bob');
    expect(await readAs(a2, hello)).toBe('hello bob');
    const reply = await b2.encrypt(text('hi alice'));
    const incoming = await a1.receive(reply);
    expect(incoming).toMatchObject({ kind: 'application', sender: { userId: 'bob', deviceId: 'phone' }, epoch: 2 });

    // Bob adds a tablet: it reads what comes after, not what came before.
    const bobTablet = await testDevice(bob, 'tablet');
    const tabletPackage = await createKeyPackage(bobTablet, context);
    const addTablet = await b1.commitAdd([tabletPackage.keyPackage]);
    await settle(b1, addTablet, [a1, a2, b2]);
    if (!addTablet.welcome) throw new Error('welcome');
    const b3 = await MlsGroup.join({ welcome: addTablet.welcome.welcome, ratchetTree: addTablet.welcome.ratchetTree, bundle: tabletPackage.bundle }, context);
    await expect(b3.receive(hello)).rejects.toMatchObject({ code: 'E2E_STALE_EPOCH' });
    const later = await a2.encrypt(text('welcome, tablet'));
    expect(await readAs(b3, later)).toBe('welcome, tablet');
    expect(await readAs(b1, later)).toBe('welcome, tablet');

    // Bob's phone is lost: removed, it reads nothing sent afterwards.
    const beforeRemoval = b2.save();
    const removal = await a1.commitRemove([{ userId: 'bob', deviceId: 'phone' }]);
    await a1.confirmCommit();
    for (const g of [a2, b1, b3]) expect(await g.receive(removal.commit)).toMatchObject({ kind: 'commit', removed: [{ userId: 'bob', deviceId: 'phone' }] });
    expect(await b2.receive(removal.commit)).toMatchObject({ kind: 'commit', removedSelf: true });
    expect(b2.active).toBe(false);
    const secret = await b1.encrypt(text('after the phone was lost'));
    expect(await readAs(a1, secret)).toBe('after the phone was lost');
    await expect(b2.receive(secret)).rejects.toMatchObject({ code: 'E2E_NOT_MEMBER' });
    await expect(MlsGroup.load(beforeRemoval, context).receive(secret)).rejects.toMatchObject({ code: 'E2E_FUTURE_EPOCH' });
    await expect(b2.encrypt(text('still here?'))).rejects.toMatchObject({ code: 'E2E_NOT_MEMBER' });
    void alice;
  });
});
