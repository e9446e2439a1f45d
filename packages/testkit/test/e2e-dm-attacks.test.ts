import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useServerScope, waitFor } from '../src/index.ts';
import { allRead, E2E_SERVER_SETTINGS, E2eBed, readTexts } from './e2e-dm-testbed.ts';

/**
 * End-to-end encrypted DMs against what a server (or someone with a device's connection) may
 * try: tampered, replayed and stale MLS messages, a swapped identity key, a peer without keys,
 * and the operator reading the data directory.
 */
const scope = useServerScope();
let bed: E2eBed | undefined;

afterEach(async () => {
  await bed?.cleanUp();
  bed = undefined;
});

async function pair() {
  await scope.start(E2E_SERVER_SETTINGS);
  bed = new E2eBed(scope.server);
  const alice = await bed.person('alice');
  const bob = await bed.person('bob');
  const a1 = await bed.device(alice);
  const b1 = await bed.device(bob);
  const b2 = await bed.device(bob);
  return { bed, alice, bob, a1, b1, b2 };
}

/** Every file under `dir`, as bytes. */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, bytes: readFileSync(path) }];
  });
}

describe('end-to-end encrypted DMs under attack', () => {
  it('a ciphertext tampered with in flight and a replayed one are refused by every receiver, and the queue goes on', async () => {
    const { a1, b1, b2 } = await pair();
    const [original] = await a1.client.send('bob', 'do not touch');
    await allRead([b1, b2], 'do not touch');

    // Something between alice's device and the server flips a byte of her next ESEND: the server
    // reads only the header, so the message is stored and delivered; the receivers refuse it.
    a1.outgoing.rewrite = (frame) => {
      if (frame.cmd !== 'esend') return frame;
      a1.outgoing.rewrite = undefined;
      const bytes = Buffer.from(String(frame.data), 'base64url');
      bytes[bytes.length - 5]! ^= 0x01;
      return { ...frame, data: bytes.toString('base64url') };
    };
    const [tampered] = await a1.client.send('bob', 'changed on the way');
    // A ciphertext the receivers read already, sent again under a new cmid: stored as a new message, refused as a replay.
    const raw = await b1.client.request('history', { with: 'alice', after: (original?.seq ?? 1) - 1, limit: 1 });
    expect(raw.messages[0]).toMatchObject({ seq: original?.seq, kind: 'mls' });
    const { sent: [replayed] } = await a1.client.request('esend', { to: 'bob', data: raw.messages[0]?.text ?? '', cmid: 'replayed-1' });
    await a1.client.send('bob', 'after the tampering');
    await allRead([b1, b2], 'after the tampering');
    for (const device of [b1, b2]) {
      expect(device.errors.find((e) => e.seq === tampered?.seq)).toMatchObject({ code: 'E2E_DECRYPT_FAILED', conv: tampered?.conv });
      expect(device.errors.find((e) => e.seq === replayed?.seq)).toMatchObject({ code: 'E2E_REPLAY' });
      expect(readTexts(device)).toEqual(['do not touch', 'after the tampering']);
    }
  });

  it('a commit for an epoch the group has left is refused by the server with E2E_EPOCH_CONFLICT', async () => {
    const { bed, bob, a1, b1 } = await pair();
    await a1.client.send('bob', 'epoch one');
    await allRead([b1], 'epoch one');
    // A third device of bob's moves the group on (its addition is a commit).
    const b3 = await bed.device(bob);
    await b1.client.send('alice', 'epoch two');
    await allRead([a1, b3], 'epoch two');
    const info = await a1.client.request('egroupinfo', { to: 'bob' });
    expect(info.epoch).toBeGreaterThanOrEqual(2);
    const history = await a1.client.request('history', { with: 'bob' });
    const first = history.messages.find((m) => m.kind === 'mls_commit');
    if (!first) throw new Error('no commit in history');
    const stale = a1.client.request('ecommit', { to: 'bob', group: info.group, epoch: 0, commit: first.text, tree: 'AA', added: [], removed: [] });
    await expect(stale).rejects.toMatchObject({ errorName: 'E2E_EPOCH_CONFLICT', detail: { group: info.group, epoch: info.epoch } });
    // The group is where it was, and still works.
    expect((await a1.client.request('egroupinfo', { to: 'bob' })).epoch).toBe(info.epoch);
    await a1.client.send('bob', 'still fine');
    await allRead([b1, b3], 'still fine');
  });

  it('a changed identity key is reported loudly, its devices are refused until accepted; safety numbers match on both sides', async () => {
    const { bed, alice, bob, a1, b1, b2 } = await pair();
    const a2 = await bed.device(alice);
    await a1.client.send('bob', 'hello old bob');
    await allRead([a2, b1, b2], 'hello old bob');
    const number = await a1.client.e2e?.safetyNumber('bob');
    expect(number).toMatch(/^\d{5}( \d{5}){11}$/);
    expect(await b1.client.e2e?.safetyNumber('alice')).toBe(number);
    expect(await b2.client.e2e?.safetyNumber('alice')).toBe(number);
    expect(await a2.client.e2e?.safetyNumber('bob')).toBe(number);
    expect(await a1.client.e2e?.verification('bob')).toBe('unverified');
    await a1.client.e2e?.markVerified('bob', number);
    expect(await a1.client.e2e?.verification('bob')).toBe('verified');

    // Bob loses every device and starts over with a new identity key.
    await Promise.all([b1.client.close(), b2.client.close()]);
    await bed.newIdentity(bob);
    const nb = await bed.device(bob, { resetIdentity: true });
    for (const device of [a1, a2]) await waitFor(() => device.identityChanges.some((e) => e.user === 'bob'), 'alice to hear that bob changed', 15_000);
    expect(a1.identityChanges[0]?.user_id).toBe(nb.client.identity?.id);
    expect(await a1.client.e2e?.verification('bob')).toBe('changed');
    const newNumber = await nb.client.e2e?.safetyNumber('alice');
    expect(await a1.client.e2e?.safetyNumber('bob')).toBe(newNumber);
    expect(newNumber).not.toBe(number);
    // Verifying by the number shown before the change is refused: it is not the key there now.
    await expect(a2.client.e2e?.markVerified('bob', number)).rejects.toMatchObject({ errorName: 'E2E_PEER_IDENTITY_CHANGED' });
    await expect(a1.client.send('bob', 'to the impostor?')).rejects.toMatchObject({ errorName: 'E2E_PEER_IDENTITY_CHANGED' });
    expect((await a1.client.request('egroupinfo', { to: 'bob' })).members.map((m) => m.device_id)).not.toContain(nb.deviceId);
    expect(nb.welcomes).toEqual([]);

    // Alice's phone accepts the new key and adds bob's new device; her laptop, which has not, refuses that commit.
    await a2.client.e2e?.acceptIdentity('bob');
    await a2.client.send('bob', 'hello new bob');
    await allRead([nb], 'hello new bob');
    await waitFor(() => a1.errors.some((e) => e.code === 'E2E_BAD_CREDENTIAL'), () => `alice's laptop to refuse the new device: ${JSON.stringify(a1.errors)}`, 15_000);
    expect(readTexts(a1)).not.toContain('hello new bob');
    // Once the laptop accepts too, the refused commit goes through and the message waiting behind it is read.
    await a1.client.e2e?.acceptIdentity('bob');
    expect(await a1.client.e2e?.verification('bob')).toBe('unverified');
    await allRead([a1], 'hello new bob');
    await nb.client.send('alice', 'new bob here');
    await allRead([a1, a2], 'new bob here');
    await a1.client.send('bob', 'welcome back');
    await allRead([nb, a2], 'welcome back');
    expect(readTexts(nb)).toEqual(['hello new bob', 'welcome back']);
  });

  it('sending to someone without device keys is refused unless plaintext is chosen; guests encrypt too', async () => {
    const { bed, a1, b1 } = await pair();
    const carol = await bed.plain('carol');
    await expect(a1.client.send('carol', 'secret?')).rejects.toMatchObject({ errorName: 'E2E_PEER_UNENCRYPTED', action: 'fix' });
    expect(await a1.client.e2e?.conversationEncryption('carol')).toBe('unencrypted');
    expect(await a1.client.e2e?.conversationEncryption('bob')).toBe('encrypted');
    expect(await a1.client.e2e?.conversationEncryption('#general')).toBe('unencrypted');
    await a1.client.send('carol', 'in plaintext, knowingly', { plaintext: true });
    await waitFor(() => carol.messages.find((m) => m.text === 'in plaintext, knowingly'), 'carol to get the plaintext DM');
    expect(carol.messages[0]?.encrypted).toBeUndefined();
    // Her reply is plaintext too, and shows as such on alice's side.
    await carol.client.send('alice', 'plain reply');
    await waitFor(() => a1.messages.find((m) => m.text === 'plain reply'), 'alice to get the plain reply');
    expect(a1.messages.find((m) => m.text === 'plain reply')?.encrypted).toBeUndefined();
    // Rooms go as before.
    await a1.client.join('#lobby');
    await expect(a1.client.send('#lobby', 'room text')).resolves.toHaveLength(1);

    const g1 = await bed.guest('gina');
    const g2 = await bed.guest('gus');
    await g1.client.send('gus', 'guest to guest');
    await allRead([g2], 'guest to guest');
    await g2.client.send('alice', 'guest to account');
    await allRead([a1], 'guest to account');
    void b1;
  });

  it('the server never stores an encrypted plaintext: the marker is in no file of its data directory', async () => {
    const { bed, a1, b1, b2 } = await pair();
    const marker = `MARKER-${randomBytes(8).toString('hex')}`;
    const control = `CONTROL-${randomBytes(8).toString('hex')}`;
    await a1.client.send('bob', `first ${marker}`);
    await b1.client.send('alice', `reply ${marker}`);
    await a1.client.send('bob', `${marker} ${marker} ${marker}`.repeat(20));
    await allRead([b1, b2], `first ${marker}`);
    await allRead([a1], `reply ${marker}`);
    // A plaintext DM shows the grep would find it.
    const carol = await bed.plain('carol');
    await a1.client.send('carol', control, { plaintext: true });
    await waitFor(() => carol.messages.some((m) => m.text === control), 'carol to get the control message');

    const { dataDir } = scope.server;
    const running = filesUnder(dataDir);
    expect(running.some((f) => f.bytes.includes(control))).toBe(true);
    expect(running.filter((f) => f.bytes.includes(marker)).map((f) => f.path)).toEqual([]);
    // Stopped (the WAL checkpointed into the database): still nowhere.
    await bed.cleanUp();
    await scope.stop();
    const stopped = filesUnder(dataDir);
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped.filter((f) => f.bytes.includes(marker)).map((f) => f.path)).toEqual([]);
    expect(stopped.some((f) => f.bytes.includes(control))).toBe(true);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
