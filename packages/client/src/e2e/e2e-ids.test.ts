import { exportPublicKey, generateDeviceKeyPair, generateIdentityKeyPair, identitySigner, issueDeviceCertificate, safetyNumber, toBase64Url, type IdentitySigner } from '@parley/e2e';
import type { E2eDirectoryEntry } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import type { Self } from './context.ts';
import { verifiedDevices } from './directory.ts';
import { localUserId, safetyNumberIds, selfOf } from './e2e-ids.ts';

const A = `ps1${'A'.repeat(43)}`;
const B = `ps1${'B'.repeat(43)}`;
const login = (id: string, e2eId?: string) => ({ name: 'n', id, kind: 'account' as const, rooms: [], ...(e2eId === undefined ? {} : { e2e_id: e2eId }) });

// alice is a3 on server A, bob a5 on server B; carol a7 on A with alice.
const aliceAtA = selfOf(login('a3', `a3@${A}`));
const bobAtB = selfOf(login('a5', `a5@${B}`));
const offline = selfOf(login('a3'));

describe('user ids across servers (e2e-ids.ts)', () => {
  it("a certificate's user id as this client's server names the user: only its own server's suffix goes", () => {
    expect(aliceAtA).toMatchObject({ userId: 'a3', certifiedId: `a3@${A}` });
    expect(localUserId(aliceAtA, `a3@${A}`)).toBe('a3');
    expect(localUserId(aliceAtA, `a7@${A}`)).toBe('a7');
    expect(localUserId(aliceAtA, `a5@${B}`)).toBe(`a5@${B}`);
    // A certificate from before the server federated: this server's user, held to their pinned key.
    expect(localUserId(aliceAtA, 'a7')).toBe('a7');
    // Federation off: certificates name ids as they are.
    expect(offline.certifiedId).toBe('a3');
    expect(localUserId(offline, `a3@${A}`)).toBe(`a3@${A}`);
  });

  it('safety numbers: the same digits on both servers for a cross-server pair, unchanged for a pair of one server', async () => {
    const [alice, bob, carol] = await Promise.all([generateIdentityKeyPair(), generateIdentityKeyPair(), generateIdentityKeyPair()]).then((pairs) => Promise.all(pairs.map((p) => exportPublicKey(p.publicKey))));
    if (!alice || !bob || !carol) throw new Error('keys');
    const numberAt = async (self: Self, own: Uint8Array, peer: { id: string; key: Uint8Array }) => {
      const ids = safetyNumberIds(self, peer.id);
      return safetyNumber({ userId: ids.own, identityKey: own }, { userId: ids.peer, identityKey: peer.key });
    };
    // alice's server names bob a5@B; bob's names alice a3@A.
    expect(await numberAt(aliceAtA, alice, { id: `a5@${B}`, key: bob })).toBe(await numberAt(bobAtB, bob, { id: `a3@${A}`, key: alice }));
    // alice and carol, both of A: the ids of one server, as before it federated.
    const carolAtA = selfOf(login('a7', `a7@${A}`));
    const before = await safetyNumber({ userId: 'a3', identityKey: alice }, { userId: 'a7', identityKey: carol });
    expect(await numberAt(aliceAtA, alice, { id: 'a7', key: carol })).toBe(before);
    expect(await numberAt(carolAtA, carol, { id: 'a3', key: alice })).toBe(before);
    expect(await numberAt(offline, alice, { id: 'a7', key: carol })).toBe(before);
  });

  it("the directory's devices of someone of another server: kept when the certificate names them as their server does", async () => {
    const bob = await identitySigner(await generateIdentityKeyPair());
    const device = async (signer: IdentitySigner, userId: string, deviceId: string) => ({
      device_id: deviceId,
      certificate: toBase64Url(await issueDeviceCertificate(signer, { userId, deviceId, deviceKey: await exportPublicKey((await generateDeviceKeyPair()).publicKey) })),
    });
    const entry: E2eDirectoryEntry = {
      name: 'bob@b.example',
      user_id: `a5@${B}`,
      identity_key: toBase64Url(bob.publicKey),
      // The second names A's a5, not bob: another person, whatever the directory says.
      devices: [await device(bob, `a5@${B}`, 'phone'), await device(bob, `a5@${A}`, 'laptop')],
    };
    expect((await verifiedDevices(entry, aliceAtA)).map((d) => `${d.userId}/${d.deviceId}`)).toEqual([`a5@${B}/phone`]);
    // bob's own client (on B) reads his devices under his plain id.
    expect((await verifiedDevices({ ...entry, name: 'bob', user_id: 'a5' }, bobAtB)).map((d) => `${d.userId}/${d.deviceId}`)).toEqual(['a5/phone']);
  });
});
