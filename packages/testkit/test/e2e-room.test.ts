import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '@parley/protocol';
import { useServerScope, waitFor } from '../src/index.ts';
import { allRead, E2E_SERVER_SETTINGS, E2eBed, readTexts, type Device } from './e2e-dm-testbed.ts';

/**
 * End-to-end encrypted rooms through the SDK, against a real server over pinned TLS: a room
 * encrypted from its creation, one switched to encrypted, members who join, leave, are kicked,
 * a device added later and a guest.
 */
const scope = useServerScope();
let bed: E2eBed | undefined;

afterEach(async () => {
  await bed?.cleanUp();
  bed = undefined;
});

const noErrors = (devices: Device[]) => {
  for (const device of devices) expect(device.errors, `${device.person.name}/${device.deviceId} errors`).toEqual([]);
};

async function groupDevices(device: Device, room: string): Promise<string[]> {
  return (await device.client.request('egroupinfo', { to: room })).members.map((m) => m.device_id).sort();
}

describe('end-to-end encrypted rooms', () => {
  it('a room encrypted from its creation: every member device reads, plaintext is refused, a kicked member cannot read what follows', async () => {
    await scope.start(E2E_SERVER_SETTINGS);
    bed = new E2eBed(scope.server);
    const alice = await bed.person('alice');
    const a1 = await bed.device(alice);
    const a2 = await bed.device(alice);
    const b1 = await bed.device(await bed.person('bob'));
    const c1 = await bed.device(await bed.person('carol'));
    const created = await a1.client.request('create', { room: '#secret', encrypted: true });
    expect(created).toMatchObject({ name: '#secret', encrypted: true });
    await b1.client.join('#secret');
    await c1.client.join('#secret');
    await a2.client.join('#secret');

    const [sent] = await a1.client.send('#secret', 'hello room');
    expect(sent).toMatchObject({ to: '#secret', duplicate: false });
    await allRead([a2, b1, c1], 'hello room');
    expect(b1.messages.find((m) => m.text === 'hello room')).toMatchObject({ from: 'alice', to: '#secret', encrypted: true, seq: sent?.seq });
    await c1.client.send('#secret', 'carol says hi');
    await allRead([a1, a2, b1], 'carol says hi');
    expect(await b1.client.e2e?.conversationEncryption('#secret')).toBe('encrypted');
    expect(await groupDevices(a1, '#secret')).toEqual([a1, a2, b1, c1].map((d) => d.deviceId).sort());

    // Someone without encryption can join, but not send plaintext into it; and the mode stays on.
    const dave = await bed.plain('dave');
    await dave.client.join('#secret');
    await expect(dave.client.send('#secret', 'plain words')).rejects.toMatchObject({ errorName: 'E2E_ROOM_ENCRYPTED' });
    await expect(a1.client.request('mode', { room: '#secret', encrypted: false })).rejects.toMatchObject({ errorName: 'FORBIDDEN' });
    expect((await a1.client.request('mode', { room: '#secret' })).modes.encrypted).toBe(true);
    // Devices only of the room's people: dave has none, and someone outside is refused.
    const people = await b1.client.request('emembers', { to: '#secret' });
    expect(people.members.map((m) => m.name).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);

    await a1.client.request('kick', { room: '#secret', name: 'carol', reason: 'out' });
    const [after] = await b1.client.send('#secret', 'after the kick');
    await allRead([a1, a2], 'after the kick');
    expect(await groupDevices(a1, '#secret')).toEqual([a1, a2, b1].map((d) => d.deviceId).sort());
    // Carol's device holds the group as it was: the commit that removed her and the message after it, fed to it, yield nothing readable.
    const page = await dave.client.request('history', { with: '#secret', limit: 20 });
    const cipher = page.messages.find((m) => m.seq === after?.seq) as ChatMessage;
    expect(cipher.kind).toBe('mls');
    expect(cipher.text).not.toContain('after the kick');
    c1.client.e2e?.intercept(cipher);
    await waitFor(() => c1.errors.some((e) => e.seq === after?.seq), () => `carol's device to fail seq ${after?.seq}: ${JSON.stringify(c1.errors)}`, 15_000);
    expect(readTexts(c1)).not.toContain('after the kick');

    // The server holds ciphertext and commits only.
    expect(new Set(page.messages.map((m) => m.kind))).toEqual(new Set(['mls', 'mls_commit']));
    noErrors([a1, a2, b1]);
  });

  it('a room switched to encrypted keeps working as members come and go, a new device and a guest included', async () => {
    await scope.start(E2E_SERVER_SETTINGS);
    bed = new E2eBed(scope.server);
    const alice = await bed.person('alice');
    const a1 = await bed.device(alice);
    const b1 = await bed.device(await bed.person('bob'));
    await a1.client.join('#team');
    await b1.client.join('#team');
    await a1.client.send('#team', 'plain before');
    await waitFor(() => b1.messages.some((m) => m.text === 'plain before' && !m.encrypted), () => 'bob to read the plaintext message');

    // Only an owner turns it on.
    await expect(b1.client.request('mode', { room: '#team', encrypted: true })).rejects.toMatchObject({ errorName: 'FORBIDDEN' });
    await expect(b1.client.request('emembers', { to: '#team' })).rejects.toMatchObject({ errorName: 'E2E_NOT_ENCRYPTED' });
    const notice = new Promise((resolve) => b1.client.on('notice', (n) => n.kind === 'mode' && resolve(n)));
    expect((await a1.client.request('mode', { room: '#team', encrypted: true })).modes.encrypted).toBe(true);
    await notice;
    await b1.client.send('#team', 'now secret');
    await allRead([a1], 'now secret');

    const c1 = await bed.device(await bed.person('carol'));
    await c1.client.join('#team');
    // Carol's client has not heard the room is encrypted until it tries: the server refuses plaintext, and it goes encrypted.
    await c1.client.send('#team', 'carol here');
    await allRead([a1, b1], 'carol here');

    await b1.client.part('#team');
    await a1.client.send('#team', 'bob is gone');
    await allRead([c1], 'bob is gone');
    expect(readTexts(b1)).not.toContain('bob is gone');

    // Alice's new device, and a guest: both added by a member, both read what follows.
    const a2 = await bed.device(alice);
    const guest = await bed.guest('visitor');
    await guest.client.join('#team');
    await waitFor(async () => (await groupDevices(a1, '#team')).length === 4, () => 'the new device and the guest to be added', 20_000);
    await c1.client.send('#team', 'welcome both');
    await allRead([a1, a2, guest], 'welcome both');
    expect(readTexts(a2)).not.toContain('bob is gone');
    await guest.client.send('#team', 'thanks');
    await allRead([a1, a2, c1], 'thanks');

    // History reads as plaintext on a member's device: before the switch in the clear, after it from the archive.
    const history = await a1.client.history('#team');
    expect(history.messages.map((m) => [m.text, m.encrypted === true])).toEqual([
      ['plain before', false],
      ['now secret', true],
      ['carol here', true],
      ['bob is gone', true],
      ['welcome both', true],
      ['thanks', true],
    ]);
    noErrors([a1, a2, c1, guest]);
  });
});
