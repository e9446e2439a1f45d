import { describe, expect, it } from 'vitest';
import { MlsGroup, type CommitOutput } from './group.ts';
import { createKeyPackage, inspectKeyPackage } from './key-package.ts';
import { issueDeviceCertificate } from '../device-certificate.ts';
import { exportPublicKey, generateDeviceKeyPair } from '../identity.ts';
import { contextFor, testDevice, testUser, type TestUser } from './testing.ts';
import type { MlsContext } from './auth-service.ts';

const text = (s: string) => new TextEncoder().encode(s);
const DAY = 86_400_000;

function welcomeOf(output: CommitOutput) {
  if (!output.welcome) throw new Error('expected a Welcome');
  return output.welcome;
}

/** alice/laptop, alice/phone and bob/laptop in one group at epoch 1. */
async function trio() {
  const [alice, bob] = await Promise.all([testUser('alice'), testUser('bob')]);
  const context = contextFor(alice, bob);
  const a1 = await MlsGroup.create(await testDevice(alice, 'laptop'), context);
  const packages = await Promise.all([testDevice(alice, 'phone'), testDevice(bob, 'laptop')].map(async (d) => createKeyPackage(await d, context)));
  const add = await a1.commitAdd(packages.map((p) => p.keyPackage));
  await a1.confirmCommit();
  const { welcome, ratchetTree } = welcomeOf(add);
  const [a2, b1] = await Promise.all(packages.map((p) => MlsGroup.join({ welcome, ratchetTree, bundle: p.bundle }, context)));
  if (!a2 || !b1) throw new Error('joined');
  return { alice, bob, context, a1, a2, b1 };
}

describe('MlsGroup refuses, each with its code', () => {
  it('a tampered ciphertext: E2E_DECRYPT_FAILED', async () => {
    const { a1, b1 } = await trio();
    const message = await a1.encrypt(text('do not touch'));
    for (const offset of [message.length - 5, message.length - 40]) {
      const tampered = message.slice();
      tampered[offset] = (tampered[offset] ?? 0) ^ 0x01;
      await expect(b1.receive(tampered)).rejects.toMatchObject({ code: 'E2E_DECRYPT_FAILED' });
    }
    // The untampered message still reads: a failed attempt consumed nothing.
    expect(await b1.receive(message)).toMatchObject({ kind: 'application' });

    const update = await a1.commitUpdate();
    const tampered = update.commit.slice();
    tampered[tampered.length - 3] = (tampered[tampered.length - 3] ?? 0) ^ 0x80;
    await expect(b1.receive(tampered)).rejects.toMatchObject({ code: 'E2E_DECRYPT_FAILED' });
    expect(await b1.receive(update.commit)).toMatchObject({ kind: 'commit', epoch: 2 });
  });

  it("a replayed message, and one's own message coming back: E2E_REPLAY", async () => {
    const { a1, b1 } = await trio();
    const message = await a1.encrypt(text('once'));
    await b1.receive(message);
    await expect(b1.receive(message)).rejects.toMatchObject({ code: 'E2E_REPLAY' });
    await expect(a1.receive(message)).rejects.toMatchObject({ code: 'E2E_REPLAY' });
  });

  it('a commit for an epoch the group left, the same commit twice, and a losing commit: E2E_STALE_EPOCH', async () => {
    const { a1, a2, b1 } = await trio();
    const winner = await a1.commitUpdate();
    const loser = await b1.commitUpdate();
    await a1.confirmCommit();
    await a2.receive(winner.commit);
    // b1's commit lost the race: the server's winner replaces it.
    expect(await b1.receive(winner.commit)).toMatchObject({ kind: 'commit', epoch: 2 });
    expect(b1.hasPendingCommit).toBe(false);
    await expect(b1.discardCommit()).rejects.toMatchObject({ code: 'E2E_NO_PENDING_COMMIT' });
    await expect(a2.receive(loser.commit)).rejects.toMatchObject({ code: 'E2E_STALE_EPOCH' });
    await expect(a2.receive(winner.commit)).rejects.toMatchObject({ code: 'E2E_STALE_EPOCH' });
  });

  it('a message from an epoch not reached yet: E2E_FUTURE_EPOCH, readable once the commit is processed', async () => {
    const { a1, a2, b1 } = await trio();
    const update = await a1.commitUpdate();
    await a1.confirmCommit();
    const early = await a1.encrypt(text('from epoch 2'));
    const error = await b1.receive(early).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E2E_FUTURE_EPOCH', action: 'buffer' });
    await b1.receive(update.commit);
    expect(await b1.receive(early)).toMatchObject({ kind: 'application', epoch: 2 });
    void a2;
  });

  it("the previous epoch only from a sender who is still a member: a removed device's late message is E2E_STALE_EPOCH", async () => {
    const { a1, a2, b1 } = await trio();
    const lateFromBob = await b1.encrypt(text('sent before my removal was seen'));
    const lateFromAlice = await a2.encrypt(text('sent just before the commit'));
    const removal = await a1.commitRemove([{ userId: 'bob', deviceId: 'laptop' }]);
    await a1.confirmCommit();
    await a2.receive(removal.commit);
    expect(await a1.receive(lateFromAlice)).toMatchObject({ kind: 'application', epoch: 1 });
    await expect(a1.receive(lateFromBob)).rejects.toMatchObject({ code: 'E2E_STALE_EPOCH' });
  });

  it('a KeyPackage whose certificate claims a user but is signed by another identity: E2E_BAD_CREDENTIAL', async () => {
    const { alice, context, a1 } = await trio();
    const mallory: TestUser = { userId: 'alice', identity: (await testUser('mallory')).identity };
    // Mallory's own client trusts her key for "alice"; Alice's devices pinned the real one.
    const forged = await createKeyPackage(await testDevice(mallory, 'evil'), contextFor(mallory));
    await expect(a1.commitAdd([forged.keyPackage])).rejects.toMatchObject({ code: 'E2E_BAD_CREDENTIAL', problem: 'untrusted-identity' });
    await expect(inspectKeyPackage(forged.keyPackage, context)).rejects.toMatchObject({ code: 'E2E_BAD_CREDENTIAL' });
    expect(a1.hasPendingCommit).toBe(false);
    void alice;
  });

  it('a Welcome whose tree holds an identity this device does not trust: E2E_BAD_CREDENTIAL', async () => {
    const [alice, bob] = await Promise.all([testUser('alice'), testUser('bob')]);
    const a1 = await MlsGroup.create(await testDevice(alice, 'laptop'), contextFor(alice, bob));
    const bobPackage = await createKeyPackage(await testDevice(bob, 'laptop'), contextFor(alice, bob));
    const add = await a1.commitAdd([bobPackage.keyPackage]);
    const { welcome, ratchetTree } = welcomeOf(add);
    const impostor: MlsContext = contextFor({ userId: 'alice', identity: (await testUser('x')).identity }, bob);
    await expect(MlsGroup.join({ welcome, ratchetTree, bundle: bobPackage.bundle }, impostor)).rejects.toMatchObject({ code: 'E2E_BAD_CREDENTIAL', problem: 'untrusted-identity' });
  });

  it('an expired KeyPackage, or one asking for more than 90 days: E2E_KEY_PACKAGE_LIFETIME', async () => {
    const { bob, context, a1 } = await trio();
    const past = Date.now() - 100 * DAY;
    const oldDevice = await testDevice(bob, 'old', { created: past - DAY });
    const expired = await createKeyPackage(oldDevice, { ...context, now: () => past }, { lifetimeMs: 90 * DAY });
    await expect(inspectKeyPackage(expired.keyPackage, context)).rejects.toMatchObject({ code: 'E2E_KEY_PACKAGE_LIFETIME' });
    await expect(a1.commitAdd([expired.keyPackage])).rejects.toMatchObject({ code: 'E2E_KEY_PACKAGE_LIFETIME' });
    await expect(createKeyPackage(await testDevice(bob, 'greedy'), context, { lifetimeMs: 91 * DAY })).rejects.toMatchObject({ code: 'E2E_KEY_PACKAGE_LIFETIME' });
  });

  it('a device key that is not the certified one: E2E_BAD_CREDENTIAL', async () => {
    const { bob, context } = await trio();
    const device = await testDevice(bob, 'tablet');
    const other = await generateDeviceKeyPair();
    await expect(createKeyPackage({ ...device, privateKey: other.privateKey }, context)).rejects.toMatchObject({ code: 'E2E_BAD_CREDENTIAL', problem: 'key-mismatch' });
    const cert = await issueDeviceCertificate(bob.identity, { userId: 'bob', deviceId: 'tablet', deviceKey: await exportPublicKey(other.publicKey) });
    await expect(createKeyPackage({ certificate: cert, privateKey: device.privateKey }, context)).rejects.toMatchObject({ problem: 'key-mismatch' });
  });

  it('another group, garbage, and standalone proposals', async () => {
    const { alice, context, a1, b1 } = await trio();
    const elsewhere = await MlsGroup.create(await testDevice(alice, 'desk'), context);
    void elsewhere;
    const other = await (await trio()).a1.encrypt(text('other group'));
    await expect(b1.receive(other)).rejects.toMatchObject({ code: 'E2E_WRONG_GROUP' });
    await expect(b1.receive(new Uint8Array([0, 1, 2, 3]))).rejects.toMatchObject({ code: 'E2E_BAD_MESSAGE' });
    const message = await a1.encrypt(text('x'));
    await expect(b1.receive(new Uint8Array([...message, 0]))).rejects.toMatchObject({ code: 'E2E_BAD_MESSAGE' });
  });
});

describe('MlsGroup pending commits (E2E.md pitfall 5)', () => {
  it('refuses to send or commit again while a commit awaits the server, adopts the echo, and survives save/load', async () => {
    const { context, a1, a2, b1 } = await trio();
    const update = await a1.commitUpdate();
    await expect(a1.encrypt(text('too early'))).rejects.toMatchObject({ code: 'E2E_COMMIT_PENDING' });
    await expect(a1.commitUpdate()).rejects.toMatchObject({ code: 'E2E_COMMIT_PENDING' });
    expect(a1.epoch).toBe(1);

    const restored = MlsGroup.load(a1.save(), context);
    expect(restored.hasPendingCommit).toBe(true);
    expect(await restored.receive(update.commit)).toEqual({ kind: 'own-commit', epoch: 2 });
    await b1.receive(update.commit);
    expect(restored.epochAuthenticator()).toEqual(b1.epochAuthenticator());

    await a1.discardCommit();
    expect(a1.epoch).toBe(1);
    // The discarded branch still reads its epoch's traffic: nothing was wiped.
    const stillEpoch1 = await a2.encrypt(text('epoch 1'));
    expect(await a1.receive(stillEpoch1)).toMatchObject({ kind: 'application', epoch: 1 });
  });

  it('serialises concurrent sends: five at once use five key generations', async () => {
    const { a1, b1 } = await trio();
    const messages = await Promise.all([1, 2, 3, 4, 5].map((n) => a1.encrypt(text(`m${n}`))));
    const read = [];
    for (const m of messages.reverse()) {
      const incoming = await b1.receive(m);
      if (incoming.kind === 'application') read.push(new TextDecoder().decode(incoming.data));
    }
    expect(read.sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });
});
