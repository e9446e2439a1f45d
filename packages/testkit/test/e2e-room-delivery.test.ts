import { fromBase64Url, MlsGroup, toBase64Url } from '@parley/e2e';
import type { ServerEvent } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../src/index.ts';
import { errorOf, makeDevice, PeopleOf, register, trustAll, upload, type Person } from './e2e-delivery-kit.ts';

/**
 * Encrypted rooms at the Delivery Service, over raw connections with the real MLS module: who
 * may be added, plaintext refused, nothing sent while someone who left is still in the group,
 * and a ratchet tree sent ahead in parts. The SDK's side is e2e-room.test.ts.
 */
let server: TestServer;
const people = new PeopleOf(() => server);

beforeAll(async () => {
  server = await startTestServer({ server_name: 'e2e-room.test', limits: { messages_per_minute: 60_000, message_burst: 10_000 } });
});
afterAll(async () => {
  people.closeAll();
  await server.stop({ removeData: true });
});

async function withDevice(prefix: string, deviceId: string) {
  const p = await people.person(prefix);
  const device = await makeDevice(p, deviceId);
  expect(errorOf(await register(p, device))).toBe('ok');
  return { p, device, bundles: await upload(p, device, 2) };
}

const claimOne = async (by: Person, name: string) => fromBase64Url(((await by.client.ok('kpclaim', { name })) as { packages: { key_package: string }[] }).packages[0]!.key_package);

describe('encrypted rooms at the Delivery Service', () => {
  it('adds only members, refuses plaintext, takes a tree in parts, and sends nothing while someone who left is still in the group', async () => {
    const room = `#sealed${people.next()}`;
    const owner = await withDevice('ro', 'o1');
    const bob = await withDevice('rb', 'b1');
    const carol = await withDevice('rc', 'c1');
    expect(await owner.p.client.ok('create', { room, encrypted: true })).toMatchObject({ name: room, encrypted: true });
    await bob.p.client.ok('join', { room });

    expect(errorOf(await bob.p.client.request('send', { to: room, text: 'in the clear' }))).toBe('E2E_ROOM_ENCRYPTED');
    expect(errorOf(await owner.p.client.request('mode', { room, encrypted: false }))).toBe('FORBIDDEN');
    const listed = (await bob.p.client.ok('emembers', { to: room })) as { conv: string; members: { user_id: string; name: string }[] };
    expect(listed.members.map((m) => m.name).sort()).toEqual([owner.p.name, bob.p.name].sort());
    expect(errorOf(await carol.p.client.request('emembers', { to: room }))).toBe('NOT_IN_ROOM');

    const group = await MlsGroup.create(owner.device, trustAll);
    const groupId = toBase64Url(group.groupId);
    await owner.p.client.ok('egroup', { to: room, group: groupId });

    // Carol is not in the room: her device is not added.
    const carolAdd = await group.commitAdd([await claimOne(owner.p, carol.p.name)]);
    const carolCommit = { to: room, group: groupId, epoch: 0, commit: toBase64Url(carolAdd.commit), tree: toBase64Url(carolAdd.welcome!.ratchetTree), welcome: toBase64Url(carolAdd.welcome!.welcome) };
    expect(errorOf(await owner.p.client.request('ecommit', { ...carolCommit, added: [{ user_id: carol.p.id, device_id: 'c1' }], removed: [] }))).toBe('E2E_NOT_MEMBER');
    await group.discardCommit();

    // Bob's add, its tree in two parts; the commit is refused until every part came, and for a tree both inline and in parts, or none with a Welcome.
    const add = await group.commitAdd([await claimOne(owner.p, bob.p.name)]);
    const tree = toBase64Url(add.welcome!.ratchetTree);
    const half = Math.ceil(tree.length / 2);
    const commit = { to: room, group: groupId, epoch: 0, commit: toBase64Url(add.commit), added: [{ user_id: bob.p.id, device_id: 'b1' }], removed: [], welcome: toBase64Url(add.welcome!.welcome) };
    const part = (index: number, count = 2) => owner.p.client.request('etreepart', { group: groupId, epoch: 0, index, count, data: tree.slice(index * half, (index + 1) * half) });
    expect(errorOf(await part(2))).toBe('BAD_ARGUMENTS');
    expect(errorOf(await part(0))).toBe('ok');
    expect(errorOf(await owner.p.client.request('ecommit', { ...commit, tree_parts: 2 }))).toBe('BAD_ARGUMENTS');
    expect(errorOf(await owner.p.client.request('ecommit', { ...commit, tree, tree_parts: 2 }))).toBe('BAD_ARGUMENTS');
    expect(errorOf(await owner.p.client.request('ecommit', commit))).toBe('BAD_ARGUMENTS');
    expect(errorOf(await bob.p.client.request('etreepart', { group: groupId, epoch: 0, index: 0, count: 2, data: 'A'.repeat(49 * 1024) }))).toBe('BAD_ARGUMENTS');
    expect(errorOf(await part(1))).toBe('ok');
    const welcomed = bob.p.client.event<Extract<ServerEvent, { ev: 'welcome' }>>((e) => e.ev === 'welcome');
    await owner.p.client.ok('ecommit', { ...commit, tree_parts: 2 });
    await group.confirmCommit();
    const welcome = await welcomed;
    expect(welcome.tree).toBe(tree);
    const ref = [...bob.bundles.keys()].find((r) => add.welcome!.recipients.some((x) => toBase64Url(x) === r));
    const bobGroup = await MlsGroup.join({ welcome: fromBase64Url(welcome.welcome), ratchetTree: fromBase64Url(welcome.tree), bundle: bob.bundles.get(ref!)! }, trustAll);
    await bob.p.client.ok('welcomeack', { group: groupId });

    const live = bob.p.client.event<Extract<ServerEvent, { ev: 'message' }>>((e) => e.ev === 'message' && e.kind === 'mls');
    await owner.p.client.ok('esend', { to: room, data: toBase64Url(await group.encrypt(new TextEncoder().encode('for the room'))) });
    const opened = await bobGroup.receive(fromBase64Url((await live).text));
    expect(opened.kind === 'application' && new TextDecoder().decode(opened.data)).toBe('for the room');

    // Bob leaves: the room's next message waits for the commit that removes his device.
    await bob.p.client.ok('part', { room });
    const blocked = await owner.p.client.request('esend', { to: room, data: toBase64Url(await group.encrypt(new TextEncoder().encode('after bob'))) });
    expect(blocked).toMatchObject({ ok: false, error: { name: 'E2E_MEMBERS_CHANGED', detail: { group: groupId, epoch: 1 } } });
    const removal = await group.commitRemove(group.members().filter((m) => m.userId === bob.p.id));
    await owner.p.client.ok('ecommit', { to: room, group: groupId, epoch: 1, commit: toBase64Url(removal.commit), added: [], removed: [{ user_id: bob.p.id, device_id: 'b1' }] });
    await group.confirmCommit();
    expect(errorOf(await owner.p.client.request('esend', { to: room, data: toBase64Url(await group.encrypt(new TextEncoder().encode('after bob'))) }))).toBe('ok');
    expect(await owner.p.client.ok('egroupinfo', { to: room })).toMatchObject({ epoch: 2, members: [{ user_id: owner.p.id, device_id: 'o1' }] });
  });
});
