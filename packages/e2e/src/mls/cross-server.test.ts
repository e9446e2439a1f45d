import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../bytes.ts';
import type { MlsContext } from './auth-service.ts';
import { MlsGroup } from './group.ts';
import { createKeyPackage, inspectKeyPackage } from './key-package.ts';
import { testDevice, testUser, type TestUser } from './testing.ts';

// Two federating servers whose users both have the local id a3: only the server part of the
// certificate's user id tells them apart.
const SERVER_A = `ps1${'A'.repeat(43)}`;
const SERVER_B = `ps1${'B'.repeat(43)}`;

/** What a client of `server` does: strip its own server's suffix, leave everyone else's. */
const stripOwn = (server: string) => (userId: string) => (userId.endsWith(`@${server}`) ? userId.slice(0, -(server.length + 1)) : userId);

/** A client of `server` that pinned these keys under its server's names for the users, and records what it was asked. */
function clientOf(server: string, pins: Record<string, TestUser>): { context: MlsContext; asked: string[] } {
  const asked: string[] = [];
  const trustIdentity = (userId: string, key: Uint8Array) => {
    asked.push(userId);
    const user = pins[userId];
    return user !== undefined && bytesEqual(user.identity.publicKey, key);
  };
  return { context: { trust: { trustIdentity }, localUserId: stripOwn(server) }, asked };
}

const text = (s: string) => new TextEncoder().encode(s);

describe('MlsContext.localUserId: a group across two servers', () => {
  it('names members, senders, committers and KeyPackage owners as each client\'s own server does, and asks trust for those names', async () => {
    const [alice, bob] = await Promise.all([testUser(`a3@${SERVER_A}`), testUser(`a3@${SERVER_B}`)]);
    const atA = clientOf(SERVER_A, { a3: alice, [`a3@${SERVER_B}`]: bob });
    const atB = clientOf(SERVER_B, { a3: bob, [`a3@${SERVER_A}`]: alice });

    const a1 = await MlsGroup.create(await testDevice(alice, 'laptop'), atA.context);
    const bobPackage = await createKeyPackage(await testDevice(bob, 'phone'), atB.context);
    expect((await inspectKeyPackage(bobPackage.keyPackage, atA.context)).userId).toBe(`a3@${SERVER_B}`);
    expect((await inspectKeyPackage(bobPackage.keyPackage, atB.context)).userId).toBe('a3');

    const add = await a1.commitAdd([bobPackage.keyPackage]);
    await a1.confirmCommit();
    if (!add.welcome) throw new Error('an add commit has a Welcome');
    const b1 = await MlsGroup.join({ welcome: add.welcome.welcome, ratchetTree: add.welcome.ratchetTree, bundle: bobPackage.bundle }, atB.context);

    const names = (group: MlsGroup) => group.members().map((m) => `${m.userId}/${m.deviceId}`);
    expect(names(a1)).toEqual(['a3/laptop', `a3@${SERVER_B}/phone`]);
    expect(names(b1)).toEqual([`a3@${SERVER_A}/laptop`, 'a3/phone']);
    expect(a1.self().userId).toBe('a3');
    expect(b1.self().userId).toBe('a3');

    const update = await b1.commitUpdate();
    await b1.confirmCommit();
    expect(await a1.receive(update.commit)).toMatchObject({ kind: 'commit', committer: { userId: `a3@${SERVER_B}`, deviceId: 'phone' } });
    expect(await b1.receive(await a1.encrypt(text('hi')))).toMatchObject({ kind: 'application', sender: { userId: `a3@${SERVER_A}`, deviceId: 'laptop' } });

    // Each client was asked only about names it pinned keys under: never the certificate's own text for its own user.
    expect(new Set(atA.asked)).toEqual(new Set(['a3', `a3@${SERVER_B}`]));
    expect(new Set(atB.asked)).toEqual(new Set(['a3', `a3@${SERVER_A}`]));

    // Removal goes by the mapped name too.
    const removal = await a1.commitRemove([{ userId: `a3@${SERVER_B}`, deviceId: 'phone' }]);
    await a1.confirmCommit();
    expect(await b1.receive(removal.commit)).toMatchObject({ kind: 'commit', removedSelf: true, removed: [{ userId: 'a3', deviceId: 'phone' }] });
  });

  it("a certificate naming another server's a3 is not taken for this server's a3, and one claiming this server's a3 must have its key", async () => {
    const [alice, bob, mallory] = await Promise.all([testUser(`a3@${SERVER_A}`), testUser(`a3@${SERVER_B}`), testUser(`a3@${SERVER_A}`)]);
    // A client of A that has only pinned its own a3 (alice): bob's a3 is someone else to it.
    const atA = clientOf(SERVER_A, { a3: alice });
    const bobPackage = await createKeyPackage(await testDevice(bob, 'phone'), clientOf(SERVER_B, { a3: bob }).context);
    await expect(inspectKeyPackage(bobPackage.keyPackage, atA.context)).rejects.toMatchObject({ code: 'E2E_BAD_CREDENTIAL', problem: 'untrusted-identity' });
    expect(atA.asked).toEqual([`a3@${SERVER_B}`]);

    const forged = await createKeyPackage(await testDevice(mallory, 'laptop'), clientOf(SERVER_A, { a3: mallory }).context);
    await expect(inspectKeyPackage(forged.keyPackage, atA.context)).rejects.toMatchObject({ code: 'E2E_BAD_CREDENTIAL', problem: 'untrusted-identity' });
  });

  it('without a mapping (federation off, or the server\'s own check), user ids are the certificates\' as they are', async () => {
    const alice = await testUser(`a3@${SERVER_A}`);
    const asked: string[] = [];
    const context: MlsContext = { trust: { trustIdentity: (userId) => (asked.push(userId), true) } };
    const group = await MlsGroup.create(await testDevice(alice, 'laptop'), context);
    expect(group.self().userId).toBe(`a3@${SERVER_A}`);
    const info = await inspectKeyPackage((await createKeyPackage(await testDevice(alice, 'phone'), context)).keyPackage, context);
    expect(info.userId).toBe(`a3@${SERVER_A}`);
    expect(new Set(asked)).toEqual(new Set([`a3@${SERVER_A}`]));
  });
});
