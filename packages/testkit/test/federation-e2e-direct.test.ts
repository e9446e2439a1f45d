import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage, ReplyData } from '@parley/protocol';
import { FrameClient } from '../src/index.ts';
import { allRead, E2eBed, readTexts, type Device } from './e2e-dm-testbed.ts';
import { address, FederationTestbed, history, reaches } from './federation-kit.ts';

/**
 * End-to-end encrypted direct messages between users of two real federated servers
 * (docs/federation.md, "End-to-end encryption across servers"): the SDK on a.test reads bob's
 * directory entry and claims his KeyPackages through a.test from b.test, the conversation's group
 * lives at its home (a.test, where alice started it), bob's server relays his commits there and
 * gets his Welcome from there; both servers hold and relay only ciphertext.
 */
const fed = new FederationTestbed();
const beds: E2eBed[] = [];
afterEach(async () => {
  for (const bed of beds.splice(0)) await bed.cleanUp();
  await fed.cleanup();
});

function bedFor(server: { tlsPort: number | undefined }): E2eBed {
  const bed = new E2eBed({ tlsPort: server.tlsPort ?? -1 });
  beds.push(bed);
  return bed;
}

/** Every file under `dir`, as bytes (the server's database, WAL and logs). */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, bytes: readFileSync(path) }];
  });
}

const BUDGET_MS = 40_000;

async function twoServers() {
  const dirs = { a: fed.dataDir(), b: fed.dataDir() };
  const a = await fed.server('a.test', { dir: dirs.a, tls: true });
  const b = await fed.server('b.test', { dir: dirs.b, tls: true, peers: [address(a)] });
  await reaches(a, 'b.test');
  await reaches(b, 'a.test');
  return { a, b, dirs };
}

describe('end-to-end encrypted DMs across servers', () => {
  it('alice@a.test and bob@b.test (two devices) write encrypted both ways; both servers keep only ciphertext', async () => {
    const { a, b, dirs } = await twoServers();
    const atA = bedFor(a);
    const atB = bedFor(b);
    const bob = await atB.person('bob');
    const bobPhone = await atB.device(bob);
    const bobLaptop = await atB.device(bob);
    const alice = await atA.person('alice');
    const aliceDevice = await atA.device(alice);

    const hello = `hello bob ${Date.now()}`;
    const [sent] = await aliceDevice.client.send('bob@b.test', hello);
    expect(sent).toMatchObject({ to: 'bob@b.test' });
    await allRead([bobPhone, bobLaptop], hello, BUDGET_MS);
    const got = bobPhone.messages.find((m) => m.encrypted && m.text === hello)!;
    expect(got).toMatchObject({ from: 'alice@a.test', encrypted: true });

    const reply = `hi alice ${Date.now()}`;
    await bobLaptop.client.send('alice@a.test', reply);
    await allRead([aliceDevice, bobPhone], reply, BUDGET_MS);
    expect(aliceDevice.messages.find((m) => m.text === reply)).toMatchObject({ from: 'bob@b.test', encrypted: true });
    const again = `and again ${Date.now()}`;
    await bobPhone.client.send(got.conv, again);
    await allRead([aliceDevice, bobLaptop], again, BUDGET_MS);

    // A device bob adds later joins the conversation's group (alice's server hears of it from b.test).
    const bobTablet = await atB.device(bob);
    const later = `for all three ${Date.now()}`;
    await aliceDevice.client.send('bob@b.test', later);
    await allRead([bobPhone, bobLaptop, bobTablet], later, BUDGET_MS);

    // The home's history and the mirror's: the same ciphertext events, no plaintext.
    const reader = await FrameClient.open({ transport: 'tcp', codec: 'json', port: a.tcpPort }, { cmd: 'login', name: 'alice', password: alice.password });
    fed.clients.push(reader);
    const stored = await history(reader, sent!.conv);
    expect(stored.length).toBeGreaterThan(3);
    expect(stored.every((m: ChatMessage) => m.kind === 'mls' || m.kind === 'mls_commit'), JSON.stringify(stored.map((m) => m.kind))).toBe(true);
    // bob's devices committed too (each joiner updates its keys), through b.test, ordered at the home.
    expect(stored.some((m) => m.kind === 'mls_commit' && m.from === 'bob@b.test'), JSON.stringify(stored.map((m) => `${m.kind} ${m.from}`))).toBe(true);
    const texts = [hello, reply, again, later];
    for (const dir of [dirs.a, dirs.b]) {
      const leaks = filesUnder(dir).filter((f) => texts.some((t) => f.bytes.includes(t)));
      expect(leaks.map((f) => f.path)).toEqual([]);
    }
    expect(noErrors([aliceDevice, bobPhone, bobLaptop, bobTablet])).toEqual([]);
  }, 120_000);

  it("bob's device offline when alice writes gets its Welcome and the message when it comes back; the group is named in b.test's terms", async () => {
    const { a, b } = await twoServers();
    const atA = bedFor(a);
    const atB = bedFor(b);
    const bob = await atB.person('bob');
    const bobDevice = await atB.device(bob);
    const storageDir = bobDevice.storageDir!;
    await bobDevice.client.close();
    const alice = await atA.person('alice');
    const aliceDevice = await atA.device(alice);

    const whileAway = `while you were away ${Date.now()}`;
    await aliceDevice.client.send('bob@b.test', whileAway);
    // The Welcome waits on b.test for the device (b.test has acknowledged it to a.test).
    const back = await atB.device(bob, { storageDir });
    await allRead([back], whileAway, BUDGET_MS);
    expect(readTexts(back, 'alice@a.test')).toEqual([whileAway]);

    // A raw ESEND for an epoch the group has left: the home refuses it through the link.
    const conv = back.messages.find((m) => m.text === whileAway)!.conv;
    const info: ReplyData['egroupinfo'] = await back.client.request('egroupinfo', { to: conv });
    // In b.test's terms: bob is its own a1, alice is a.test's a1.
    expect(info.members.map((m) => m.user_id).sort()).toEqual(['a1', `a1@${a.serverId}`]);
    expect(info.conv).toBe(conv);
    expect(noErrors([aliceDevice, back])).toEqual([]);
  }, 120_000);
});

function noErrors(devices: Device[]): string[] {
  return devices.flatMap((d) => d.errors.map((e) => `${d.person.name}/${d.deviceId}: ${JSON.stringify(e)}`));
}

