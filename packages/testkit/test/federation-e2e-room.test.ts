import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '@parley/protocol';
import { waitFor } from '../src/index.ts';
import { allRead, E2eBed, readTexts, type Device } from './e2e-dm-testbed.ts';
import { address, FederationTestbed, poll, reaches } from './federation-kit.ts';

/**
 * End-to-end encrypted rooms across two real federated servers (docs/federation.md,
 * "End-to-end encryption across servers"): the room and its group live on a.test, members of
 * b.test join through their server, which relays their group verbs to the home and their
 * Welcomes back; a room turned encrypted while b.test's people are in it keeps working, a
 * member of b.test kicked at the home cannot read what follows, and neither server stores a
 * plaintext.
 */
const fed = new FederationTestbed();
const beds: E2eBed[] = [];
afterEach(async () => {
  for (const bed of beds.splice(0)) await bed.cleanUp();
  await fed.cleanup();
});

const BUDGET_MS = 40_000;
const ROOM = '#vault@a.test';

function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, bytes: readFileSync(path) }];
  });
}

async function twoServers() {
  const dirs = { a: fed.dataDir(), b: fed.dataDir() };
  const settings = ['--set', 'moderation.first_account_owner=false'];
  const a = await fed.server('a.test', { dir: dirs.a, tls: true, extra: settings });
  const b = await fed.server('b.test', { dir: dirs.b, tls: true, peers: [address(a)], extra: settings });
  await reaches(a, 'b.test');
  await reaches(b, 'a.test');
  const atA = new E2eBed({ tlsPort: a.tlsPort ?? -1 });
  const atB = new E2eBed({ tlsPort: b.tlsPort ?? -1 });
  beds.push(atA, atB);
  return { a, b, dirs, atA, atB };
}

function noErrors(devices: Device[]): string[] {
  return devices.flatMap((d) => d.errors.map((e) => `${d.person.name}/${d.deviceId}: ${JSON.stringify(e)}`));
}

describe('end-to-end encrypted rooms across servers', () => {
  it('a room encrypted from its creation: members of both servers read each other, plaintext is refused on both, a kicked remote member cannot read what follows', async () => {
    const { dirs, atA, atB } = await twoServers();
    const alice = await atA.device(await atA.person('alice'));
    const bob = await atB.device(await atB.person('bob'));
    const bob2 = await atB.device(bob.person);
    const carol = await atB.device(await atB.person('carol'));
    await alice.client.request('create', { room: '#vault', encrypted: true });
    for (const device of [bob, bob2, carol]) {
      const joined = await device.client.join(ROOM);
      expect(joined).toMatchObject({ name: ROOM, encrypted: true });
    }

    const hello = `hello vault ${Date.now()}`;
    await alice.client.send('#vault', hello);
    await allRead([bob, bob2, carol], hello, BUDGET_MS);
    expect(bob.messages.find((m) => m.text === hello)).toMatchObject({ from: 'alice@a.test', to: ROOM, encrypted: true });
    const fromB = `from b ${Date.now()}`;
    await carol.client.send(ROOM, fromB);
    await allRead([alice, bob, bob2], fromB, BUDGET_MS);
    expect(alice.messages.find((m) => m.text === fromB)).toMatchObject({ from: 'carol@b.test', encrypted: true });
    expect(await bob.client.e2e?.conversationEncryption(ROOM)).toBe('encrypted');

    // Plaintext is refused at the mirror as at the home.
    const dave = await atB.plain('dave');
    await dave.client.join(ROOM);
    await expect(dave.client.send(ROOM, 'plain words')).rejects.toMatchObject({ errorName: 'E2E_ROOM_ENCRYPTED' });
    const people = await bob.client.request('emembers', { to: ROOM });
    expect(people.members.map((m) => m.name).sort()).toEqual(['alice@a.test', 'bob', 'carol', 'dave']);

    // The home kicks carol@b.test: the next send commits her devices' removal first.
    await alice.client.request('kick', { room: '#vault', name: 'carol@b.test', reason: 'out' });
    await poll(async () => !(await bob.client.request('emembers', { to: ROOM })).members.some((m) => m.name === 'carol'), 'carol out of the room at b.test', 15_000);
    const after = `after the kick ${Date.now()}`;
    const [sent] = await bob.client.send(ROOM, after);
    await allRead([alice, bob2], after, BUDGET_MS);
    const members = (await alice.client.request('egroupinfo', { to: '#vault' })).members.map((m) => m.device_id).sort();
    expect(members).toEqual([alice, bob, bob2].map((d) => d.deviceId).sort());
    // Carol's device holds the group as it was: the message after her removal, fed to it, yields nothing readable.
    const page = await dave.client.request('history', { with: ROOM, limit: 50 });
    const cipher = page.messages.find((m) => m.seq === sent?.seq) as ChatMessage;
    expect(cipher.kind).toBe('mls');
    carol.client.e2e?.intercept(cipher);
    await waitFor(() => carol.errors.some((e) => e.seq === sent?.seq), () => `carol's device to fail seq ${sent?.seq}: ${JSON.stringify(carol.errors)}`, 15_000);
    expect(readTexts(carol)).not.toContain(after);

    expect(new Set(page.messages.map((m: ChatMessage) => m.kind))).toEqual(new Set(['mls', 'mls_commit']));
    // bob's devices go offline and he adds a new one: only alice (on a.test) can add it, once
    // b.test has told a.test that his devices changed.
    await bob.client.close();
    await bob2.client.close();
    const bob3 = await atB.device(bob.person);
    const groupHas = async (deviceId: string) => (await alice.client.request('egroupinfo', { to: '#vault' })).members.some((m) => m.device_id === deviceId);
    await poll(() => groupHas(bob3.deviceId), "alice's client to add bob's new device", BUDGET_MS);
    const later = `to the new device ${Date.now()}`;
    await alice.client.send('#vault', later);
    await allRead([bob3], later, BUDGET_MS);

    for (const dir of [dirs.a, dirs.b]) {
      expect(filesUnder(dir).filter((f) => [hello, fromB, after, later].some((t) => f.bytes.includes(t))).map((f) => f.path)).toEqual([]);
    }
    expect(noErrors([alice, bob, bob2, bob3])).toEqual([]);
  }, 180_000);

  it("a room turned encrypted at its home while b.test's people are in it: their clients switch and read", async () => {
    const { atA, atB } = await twoServers();
    const alice = await atA.device(await atA.person('alice'));
    const bob = await atB.device(await atB.person('bob'));
    await alice.client.request('create', { room: '#vault' });
    await bob.client.join(ROOM);
    await alice.client.send('#vault', 'plain for now');
    await waitFor(() => bob.messages.some((m) => m.text === 'plain for now' && !m.encrypted), 'bob to read the plaintext', BUDGET_MS);

    await alice.client.request('mode', { room: '#vault', encrypted: true });
    await poll(async () => (await bob.client.e2e?.conversationEncryption(ROOM)) === 'encrypted', "bob's client to see the room encrypted", BUDGET_MS);
    const secret = `now secret ${Date.now()}`;
    await alice.client.send('#vault', secret);
    await allRead([bob], secret, BUDGET_MS);
    const reply = `secret reply ${Date.now()}`;
    await bob.client.send(ROOM, reply);
    await allRead([alice], reply, BUDGET_MS);
    expect(noErrors([alice, bob])).toEqual([]);
  }, 180_000);
});
