import { createKeyPackage, fromBase64Url, generateDeviceKeyPair, generateIdentityKeyPair, identitySigner, MlsGroup, toBase64Url, type IdentitySigner } from '@parley/e2e';
import type { ServerEvent } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../src/index.ts';
import { errorOf, makeDevice, PeopleOf, proofBy, register, trustAll, upload, type Person } from './e2e-delivery-kit.ts';

/**
 * The server as MLS's Delivery Service, driven by raw connections and the real MLS module: what
 * it checks (certificates, proofs, KeyPackages, one commit per epoch, current-epoch messages from
 * members) and that bad input gets its code while the server keeps going. The SDK's own tests
 * (e2e-dm*.test.ts) cover the clients' side.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ server_name: 'e2e.test', limits: { max_connections_per_ip: 500, messages_per_minute: 60_000, message_burst: 10_000 } });
});
afterAll(async () => {
  people.closeAll();
  await server.stop({ removeData: true });
});

const people = new PeopleOf(() => server);
const person = (prefix: string, identity?: IdentitySigner) => people.person(prefix, identity);
const again = (p: Person) => people.again(p);

describe('end-to-end devices', () => {
  it('registers a device whose certificate and key proof verify, and refuses forgeries with their codes', async () => {
    const alice = await person('dev');
    const device = await makeDevice(alice, 'laptop');
    // Not bound yet: device-only verbs say so.
    expect(errorOf(await alice.client.request('kpupload', { packages: [] }))).toBe('E2E_NO_DEVICE');
    // A certificate for someone else's user id, one signed by a key other than the one it names, garbage.
    expect(errorOf(await register(alice, await makeDevice(alice, 'x', { userId: 'a999999' })))).toBe('E2E_BAD_CERTIFICATE');
    const forged = await makeDevice(alice, 'y');
    forged.certificate[forged.certificate.length - 1]! ^= 1;
    expect(errorOf(await register(alice, forged))).toBe('E2E_BAD_CERTIFICATE');
    expect(errorOf(await alice.client.request('edevice', { certificate: 'AAAA', signature: 'A'.repeat(86) }))).toBe('E2E_BAD_CERTIFICATE');
    // The right certificate with a proof by another key, and without a challenge.
    const other = await generateDeviceKeyPair();
    expect(errorOf(await alice.client.request('edevice', { certificate: toBase64Url(device.certificate), signature: await proofBy(alice.client, alice.name, other.privateKey) }))).toBe('KEY_PROOF_INVALID');
    expect(errorOf(await alice.client.request('edevice', { certificate: toBase64Url(device.certificate), signature: 'A'.repeat(86) }))).toBe('CHALLENGE_REQUIRED');

    const ok = await register(alice, device);
    expect(ok).toMatchObject({ ok: true, data: { user_id: alice.id, device_id: 'laptop', identity_key: toBase64Url(alice.identity.publicKey), first: true } });
    // A second device under the same identity is not "first"; another identity key is refused without reset.
    const phone = await again(alice);
    expect(await register(phone, await makeDevice(phone, 'phone'))).toMatchObject({ ok: true, data: { first: false } });
    const stranger = await identitySigner(await generateIdentityKeyPair());
    const impostor = await makeDevice(phone, 'evil', { signer: stranger });
    expect(errorOf(await register(phone, impostor))).toBe('E2E_IDENTITY_CHANGED');
    const directory = (await phone.client.ok('edevices', { name: alice.name })) as { identity_key: string; devices: { device_id: string }[] };
    expect(directory.identity_key).toBe(toBase64Url(alice.identity.publicKey));
    expect(directory.devices.map((d) => d.device_id)).toEqual(['laptop', 'phone']);

    // reset: the new identity replaces the old one and its devices; the other connection hears of it.
    const changed = alice.client.event((e) => e.ev === 'e2e_devices' && e.identity_changed === true);
    expect(await register(phone, impostor, { reset: true })).toMatchObject({ ok: true, data: { first: true } });
    await changed;
    const after = (await phone.client.ok('edevices', { name: alice.name })) as { identity_key: string; devices: { device_id: string }[] };
    expect(after.identity_key).toBe(toBase64Url(stranger.publicKey));
    expect(after.devices.map((d) => d.device_id)).toEqual(['evil']);
  });

  it('keeps KeyPackages that verify for the uploading device, hands each one-time package out once, then the last-resort one', async () => {
    const bob = await person('kp');
    const device = await makeDevice(bob, 'desk');
    await register(bob, device);
    const other = await makeDevice(bob, 'other');
    const foreign = await createKeyPackage(other, trustAll);
    expect(errorOf(await bob.client.request('kpupload', { packages: [toBase64Url(foreign.keyPackage)] }))).toBe('E2E_BAD_KEY_PACKAGE');
    expect(errorOf(await bob.client.request('kpupload', { packages: ['AAAA'] }))).toBe('E2E_BAD_KEY_PACKAGE');
    const tampered = (await createKeyPackage(device, trustAll)).keyPackage;
    tampered[tampered.length - 5]! ^= 1;
    expect(errorOf(await bob.client.request('kpupload', { packages: [toBase64Url(tampered)] }))).toBe('E2E_BAD_KEY_PACKAGE');

    const one = await createKeyPackage(device, trustAll);
    const last = await createKeyPackage(device, trustAll);
    expect(await bob.client.ok('kpupload', { packages: [toBase64Url(one.keyPackage), toBase64Url(one.keyPackage)], last_resort: toBase64Url(last.keyPackage) })).toEqual({ stored: 1, count: 1, last_resort: true });
    const carol = await person('kpc');
    const claim = () => carol.client.ok('kpclaim', { name: bob.name }) as Promise<{ packages: { device_id: string; key_package: string }[]; missing: string[] }>;
    expect((await claim()).packages).toEqual([{ device_id: 'desk', key_package: toBase64Url(one.keyPackage) }]);
    expect((await claim()).packages).toEqual([{ device_id: 'desk', key_package: toBase64Url(last.keyPackage) }]);
    expect((await claim()).packages).toEqual([{ device_id: 'desk', key_package: toBase64Url(last.keyPackage) }]);
    expect(errorOf(await carol.client.request('kpclaim', { name: 'nobody-here' }))).toBe('NO_SUCH_USER');
    // Only the devices asked for give up a package (a group claims for the devices it lacks).
    const laptop = await again(bob);
    const second = await makeDevice(laptop, 'laptop');
    await register(laptop, second);
    await upload(laptop, second, 2);
    const some = (await carol.client.ok('kpclaim', { name: bob.name, device_ids: ['laptop'] })) as { packages: { device_id: string }[]; missing: string[] };
    expect(some.packages.map((p) => p.device_id)).toEqual(['laptop']);
    expect(await laptop.client.ok('kpupload', { packages: [] })).toMatchObject({ count: 1 });
  });
});

/** Alice (one device) and Bob (one device) in a DM group made by Alice, Bob joined from his Welcome. */
async function dmPair() {
  const alice = await person('ga');
  const bob = await person('gb');
  const aliceDevice = await makeDevice(alice, 'a1');
  const bobDevice = await makeDevice(bob, 'b1');
  await register(alice, aliceDevice);
  await register(bob, bobDevice);
  const bundles = await upload(bob, bobDevice, 2);
  const aliceGroup = await MlsGroup.create(aliceDevice, trustAll);
  const group = toBase64Url(aliceGroup.groupId);
  expect(await alice.client.ok('egroup', { to: bob.name, group })).toMatchObject({ group, epoch: 0, members: [{ user_id: alice.id, device_id: 'a1' }] });
  const claimed = (await alice.client.ok('kpclaim', { name: bob.name })) as { packages: { key_package: string }[] };
  const add = await aliceGroup.commitAdd(claimed.packages.map((p) => fromBase64Url(p.key_package)));
  const welcomed = bob.client.event<Extract<ServerEvent, { ev: 'welcome' }>>((e) => e.ev === 'welcome');
  const committed = await alice.client.ok('ecommit', {
    to: bob.name,
    group,
    epoch: 0,
    commit: toBase64Url(add.commit),
    tree: toBase64Url(add.welcome!.ratchetTree),
    added: [{ user_id: bob.id, device_id: 'b1' }],
    removed: [],
    welcome: toBase64Url(add.welcome!.welcome),
  });
  await aliceGroup.confirmCommit();
  const welcome = await welcomed;
  expect(welcome).toMatchObject({ group, epoch: 1, seq: committed.seq });
  const [ref] = [...bundles.keys()].filter((r) => add.welcome!.recipients.some((x) => toBase64Url(x) === r));
  const bobGroup = await MlsGroup.join({ welcome: fromBase64Url(welcome.welcome), ratchetTree: fromBase64Url(welcome.tree), bundle: bundles.get(ref!)! }, trustAll);
  await bob.client.ok('welcomeack', { group });
  return { alice, bob, aliceGroup, bobGroup, group, aliceDevice, bobDevice };
}

describe('encrypted direct conversations', () => {
  it('carries ciphertext the server cannot read, in seq order with the commits, from member devices for the current epoch only', async () => {
    const { alice, bob, aliceGroup, bobGroup, group } = await dmPair();
    const secret = new TextEncoder().encode('the-plaintext-marker');
    const data = toBase64Url(await aliceGroup.encrypt(secret));
    const live = bob.client.event<Extract<ServerEvent, { ev: 'message' }>>((e) => e.ev === 'message' && e.kind === 'mls');
    await alice.client.ok('esend', { to: bob.name, data });
    const received = await live;
    expect(received.text).toBe(data);
    const opened = await bobGroup.receive(fromBase64Url(received.text));
    expect(opened.kind === 'application' && new TextDecoder().decode(opened.data)).toBe('the-plaintext-marker');

    // History lists the commit and the message as MLS, in order.
    const history = (await bob.client.ok('history', { with: alice.name })) as { messages: { kind?: string; text: string }[] };
    expect(history.messages.map((m) => m.kind)).toEqual(['mls_commit', 'mls']);

    // An old epoch's ciphertext, a commit for a stale epoch, plaintext dressed as MLS, a welcome that is not one.
    const update = await bobGroup.commitUpdate();
    await bob.client.ok('ecommit', { to: alice.name, group, epoch: 1, commit: toBase64Url(update.commit), tree: 'AAAA', added: [], removed: [] });
    await bobGroup.confirmCommit();
    expect(errorOf(await alice.client.request('esend', { to: bob.name, data: toBase64Url(await aliceGroup.encrypt(secret)) }))).toBe('E2E_WRONG_EPOCH');
    const stale = await alice.client.request('ecommit', { to: bob.name, group, epoch: 1, commit: toBase64Url((await aliceGroup.commitUpdate()).commit), tree: 'AAAA', added: [], removed: [] });
    expect(stale).toMatchObject({ ok: false, error: { name: 'E2E_EPOCH_CONFLICT', detail: { group, epoch: 2 } } });
    await aliceGroup.discardCommit();
    expect(errorOf(await alice.client.request('esend', { to: bob.name, data: toBase64Url(secret) }))).toBe('E2E_BAD_MESSAGE');
    expect(errorOf(await alice.client.request('esend', { to: '#nowhere', data }))).not.toBe('ok');
    // A commit message through ESEND, and an application message through ECOMMIT.
    expect(errorOf(await alice.client.request('esend', { to: bob.name, data: toBase64Url(update.commit) }))).toBe('E2E_BAD_MESSAGE');
    expect(errorOf(await alice.client.request('ecommit', { to: bob.name, group, epoch: 2, commit: data, tree: 'AAAA', added: [], removed: [] }))).toBe('E2E_BAD_MESSAGE');
    // Alice catches up on Bob's commit and talks again; the server kept every message.
    const commit = history.messages.length;
    const again = (await alice.client.ok('history', { with: bob.name })) as { messages: { kind?: string; text: string }[] };
    expect(again.messages.length).toBe(commit + 1);
    await aliceGroup.receive(fromBase64Url(again.messages.at(-1)!.text));
    expect(await alice.client.ok('esend', { to: bob.name, data: toBase64Url(await aliceGroup.encrypt(secret)) })).toMatchObject({ sent: [{ to: bob.name }] });
  });

  it('refuses a device outside the group, a second group for one conversation, and groups for rooms', async () => {
    const { alice, bob, group, aliceGroup } = await dmPair();
    const second = await again(bob);
    await register(second, await makeDevice(second, 'b2'));
    const data = toBase64Url(await aliceGroup.encrypt(new TextEncoder().encode('hi')));
    expect(errorOf(await second.client.request('esend', { to: alice.name, data }))).toBe('E2E_NOT_MEMBER');
    expect(await bob.client.request('egroup', { to: alice.name, group: 'BBBB' })).toMatchObject({ ok: false, error: { name: 'E2E_GROUP_EXISTS', detail: { group } } });
    const room = `#enc${people.next()}`;
    await alice.client.ok('create', { room });
    expect(errorOf(await alice.client.request('egroup', { to: room, group: 'CCCC' }))).toBe('E2E_NOT_ENCRYPTED');
    // Devices added must be registered devices of the two people.
    expect(errorOf(await alice.client.request('ecommit', { to: bob.name, group, epoch: 1, commit: data, tree: 'AAAA', added: [{ user_id: 'a424242', device_id: 'x' }], removed: [] }))).not.toBe('ok');
    // Any connection of a participant may read the group's state; its epoch did not move.
    expect(await second.client.ok('egroupinfo', { to: alice.name })).toMatchObject({ group, epoch: 1 });
  });
});
