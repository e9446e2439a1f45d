import { afterEach, describe, expect, it } from 'vitest';
import { useServerScope, waitFor } from '../src/index.ts';
import { allRead, dropConnection, E2E_SERVER_SETTINGS, E2eBed, readTexts, type Device } from './e2e-dm-testbed.ts';

/**
 * End-to-end encrypted DMs through the SDK, against a real server over pinned TLS: four devices
 * of two people, a device that was away, one added later, one removed.
 */
const scope = useServerScope();
let bed: E2eBed | undefined;

afterEach(async () => {
  await bed?.cleanUp();
  bed = undefined;
});

async function fourDevices() {
  await scope.start(E2E_SERVER_SETTINGS);
  bed = new E2eBed(scope.server);
  const alice = await bed.person('alice');
  const bob = await bed.person('bob');
  const a1 = await bed.device(alice);
  const a2 = await bed.device(alice);
  const b1 = await bed.device(bob);
  const b2 = await bed.device(bob);
  return { bed, alice, bob, a1, a2, b1, b2 };
}

const others = (all: Device[], sender: Device) => all.filter((d) => d !== sender);

describe('end-to-end encrypted DMs', () => {
  it('two people with two devices each: DMs both ways, read by every device, history from the archive', async () => {
    const { a1, a2, b1, b2 } = await fourDevices();
    const all = [a1, a2, b1, b2];
    expect(new Set(all.map((d) => d.deviceId)).size).toBe(4);

    const [sent] = await a1.client.send('bob', 'hello bob');
    expect(sent).toMatchObject({ to: 'bob', duplicate: false });
    await allRead(others(all, a1), 'hello bob');
    // A device that joined replaces its path keys (an empty commit) before it first sends, and not again soon after.
    const epoch = async () => (await b2.client.request('egroupinfo', { to: 'alice' })).epoch;
    const joined = await epoch();
    await b2.client.send('alice', 'hi alice', { kind: 'action' });
    await allRead(others(all, b2), 'hi alice');
    expect(await epoch()).toBe(joined + 1);
    await b2.client.send('alice', 'hi again');
    await allRead(others(all, b2), 'hi again');
    expect(await epoch()).toBe(joined + 1);
    await a2.client.send('bob', 'from the phone');
    await allRead(others(all, a2), 'from the phone');

    const onB1 = b1.messages.find((m) => m.text === 'hi alice') ?? b2.messages.find((m) => m.text === 'hello bob');
    expect(onB1).toBeDefined();
    const hello = b1.messages.find((m) => m.text === 'hello bob');
    expect(hello).toMatchObject({ from: 'alice', to: 'bob', encrypted: true, conv: sent?.conv, seq: sent?.seq });
    expect(hello?.kind).toBeUndefined();
    expect(a1.messages.find((m) => m.text === 'hi alice')).toMatchObject({ from: 'bob', kind: 'action', encrypted: true });
    for (const device of all) expect(device.errors, `${device.deviceId} errors`).toEqual([]);

    // History: the sender's own message from its archive, every message as plaintext, commits left out.
    for (const device of [a1, b2]) {
      const page = await device.client.history(device === a1 ? 'bob' : 'alice');
      expect(page.messages.map((m) => [m.text, m.encrypted])).toEqual([
        ['hello bob', true],
        ['hi alice', true],
        ['hi again', true],
        ['from the phone', true],
      ]);
    }
    // The server has only ciphertext and commits.
    const raw = await b1.client.request('history', { with: 'alice' });
    expect(new Set(raw.messages.map((m) => m.kind))).toEqual(new Set(['mls', 'mls_commit']));
    expect(raw.messages.some((m) => m.text.includes('hello'))).toBe(false);
    expect(await a1.client.e2e?.conversationEncryption('bob')).toBe('encrypted');

    // A note to self is a DM too: encrypted for the user's own devices.
    await a1.client.send('alice', 'note to self');
    await allRead([a2], 'note to self');
    expect(readTexts(b1)).not.toContain('note to self');
    // Several people at once: each gets an encrypted message of their own, never plaintext.
    const receipts = await a1.client.send(['bob', 'alice'], 'to several');
    expect(receipts).toHaveLength(2);
    await allRead([b1, b2], 'to several');
    // Alice's other device is in both conversations: it reads the message in each.
    await waitFor(() => readTexts(a2).filter((t) => t === 'to several').length === 2, 'alice/a2 to read both copies');
  });

  it('a device that was away catches up when it comes back, and one added later reads only what came after', async () => {
    const { bed, alice, a1, a2, b1, b2 } = await fourDevices();
    await a1.client.send('bob', 'before anyone left');
    await allRead([a2, b1, b2], 'before anyone left');

    // a2 goes away; messages both ways meanwhile; it comes back with its storage and reads them.
    await a2.client.close();
    await a1.client.send('bob', 'while a2 was away 1');
    await b1.client.send('alice', 'while a2 was away 2');
    await allRead([b1, b2], 'while a2 was away 1');
    const back = await bed.device(alice, { storageDir: a2.storageDir });
    expect(back.deviceId).toBe(a2.deviceId);
    await allRead([back], 'while a2 was away 1');
    await allRead([back], 'while a2 was away 2');
    expect(readTexts(back)).not.toContain('before anyone left');

    // A third device of alice's joins; bob's next DM adds it at the latest.
    const a3 = await bed.device(alice);
    await b2.client.send('alice', 'after a3 came');
    await allRead([a1, back, a3, b1], 'after a3 came');
    expect(readTexts(a3)).toEqual(['after a3 came']);
    const page = await a3.client.history('bob');
    const early = page.messages.find((m) => m.seq < (a3.messages[0]?.seq ?? 0) && m.encrypted);
    expect(early).toMatchObject({ text: '', encrypted: true, undecryptable: true });
    expect(page.messages.find((m) => m.text === 'after a3 came')).toMatchObject({ encrypted: true });
    for (const device of [a1, back, a3, b1, b2]) expect(device.errors, `${device.deviceId} errors`).toEqual([]);
  });

  it('a connection lost and resumed: what came meanwhile is read once, and a DM sent while away goes out after', async () => {
    const { a1, a2, b1, b2 } = await fourDevices();
    await a1.client.send('bob', 'before the drop');
    await allRead([a2, b1, b2], 'before the drop');
    const reconnected = new Promise<void>((resolve) => {
      const off = b2.client.on('e2e_ready', () => (off(), resolve()));
    });
    dropConnection(b2);
    const queued = b2.client.send('alice', 'sent while reconnecting');
    await a2.client.send('bob', 'during the drop');
    await reconnected;
    await allRead([b2], 'during the drop');
    await queued;
    await allRead([a1, a2, b1], 'sent while reconnecting');
    for (const device of [a1, a2, b1, b2]) expect(device.errors, `${device.deviceId} errors`).toEqual([]);
  });

  it('both people start the conversation at the same moment: one group wins, both messages arrive', async () => {
    const { a1, a2, b1, b2 } = await fourDevices();
    await Promise.all([a1.client.send('bob', 'hi from alice'), b1.client.send('alice', 'hi from bob')]);
    await allRead([a2, b1, b2], 'hi from alice');
    await allRead([a1, a2, b2], 'hi from bob');
    const groups = await Promise.all([a1, b1].map((d) => d.client.request('egroupinfo', { to: d === a1 ? 'bob' : 'alice' })));
    expect(groups[0]?.group).toBe(groups[1]?.group);
    expect(groups[0]?.members).toHaveLength(4);
    for (const device of [a1, a2, b1, b2]) expect(device.errors, `${device.deviceId} errors`).toEqual([]);
  });

  it('a removed device reads nothing sent after its removal, and cannot send', async () => {
    const { a1, a2, b1, b2 } = await fourDevices();
    await a1.client.send('bob', 'all four');
    await allRead([a2, b1, b2], 'all four');

    await a1.client.e2e?.removeDevice(a2.deviceId);
    const [sent] = await b1.client.send('alice', 'secret after the removal');
    await allRead([a1, b2], 'secret after the removal');
    // The removed device learns it was removed, and reports the message it cannot read; it never reads it.
    await waitFor(() => a2.errors.some((e) => e.code === 'E2E_DEVICE_REMOVED'), () => `a2 to learn of its removal: ${JSON.stringify(a2.errors)}`, 15_000);
    await waitFor(() => a2.errors.some((e) => e.seq === sent?.seq), () => `a2 to report seq ${sent?.seq}: ${JSON.stringify(a2.errors)}`, 15_000);
    await b2.client.send('alice', 'and another');
    await allRead([a1, b1], 'and another');
    expect(readTexts(a2)).not.toContain('secret after the removal');
    expect(readTexts(a2)).not.toContain('and another');
    await expect(a2.client.send('bob', 'am I still here?')).rejects.toMatchObject({ errorName: 'E2E_DEVICE_REMOVED' });
    const info = await a1.client.request('egroupinfo', { to: 'bob' });
    expect(info.members.map((m) => m.device_id)).not.toContain(a2.deviceId);
    expect(info.members).toHaveLength(3);
  });
});
