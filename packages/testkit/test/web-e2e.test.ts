import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientEvents } from '@parley/client';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../src/index.ts';
import { e2eReady, safetyNumberGroups as safetyNumber, signInOnPage, useWebTestbed, type } from './web-testbed.ts';
import { badge, entry, log, marker, message, sidebar } from './web-e2e-locators.ts';

/**
 * End-to-end encrypted DMs in the web client (docs/web.md, "End-to-end encryption"), in Debian's
 * Chromium against a real server: two browsers exchange DMs that are encrypted on both sides and
 * that neither the server's data directory nor the browsers' IndexedDB hold in the clear; a
 * reload carries on from IndexedDB; both sides see the same safety number; a person without keys
 * gets a message only after "Send unencrypted"; a changed identity is loud and stops sends until
 * accepted; a second tab runs without encryption and leaves the first alone. The identity
 * import and axe on these screens: web-e2e-identity.test.ts.
 */
const testbed = useWebTestbed({ limits: { messages_per_minute: 60_000, message_burst: 10_000 } });
const PASSWORD = 'correct-horse-e2e';

/** Signs in (a new browser) and waits until the page's device can be written to. */
async function signIn(name: string, options: { register?: boolean; ready?: boolean } = {}): Promise<Page> {
  const page = await testbed.signIn(name, { password: PASSWORD, ...(options.register ? { register: true } : {}) });
  if (options.ready !== false) await e2eReady(page);
  return page;
}


/** Every file under `dir`, as bytes. */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, bytes: readFileSync(path) }];
  });
}

interface RawIdb {
  databases: string[];
  values: number;
  keys: string[];
  ivs: number;
  ivLengths: number[];
  containsMarker: boolean;
  identityExtractable: boolean | undefined;
  sealExtractable: boolean | undefined;
}

/** Everything the page's IndexedDB holds, read raw (not through the app): the sealed values must not contain `text`. */
function readIndexedDb(page: Page, text: string): Promise<RawIdb> {
  return page.evaluate(async (needle) => {
    const open = (name: string) =>
      new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    const all = <T>(store: IDBObjectStore, keys: boolean) =>
      new Promise<T[]>((resolve, reject) => {
        const req = keys ? store.getAllKeys() : store.getAll();
        req.onsuccess = () => resolve(req.result as T[]);
        req.onerror = () => reject(req.error);
      });
    const result = { databases: [] as string[], values: 0, keys: [] as string[], ivs: 0, ivLengths: [] as number[], containsMarker: false, identityExtractable: undefined as boolean | undefined, sealExtractable: undefined as boolean | undefined };
    const ivs = new Set<string>();
    const latin1 = (bytes: Uint8Array) => Array.from(bytes, (b) => String.fromCharCode(b)).join('');
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      result.databases.push(info.name);
      const db = await open(info.name);
      const tx = db.transaction(['keys', 'values'], 'readonly');
      const names = await all<string>(tx.objectStore('values'), true);
      const records = await all<{ iv: Uint8Array; data: Uint8Array }>(tx.objectStore('values'), false);
      const keyNames = await all<string>(tx.objectStore('keys'), true);
      const keyValues = await all<CryptoKey | CryptoKeyPair>(tx.objectStore('keys'), false);
      result.keys.push(...names);
      result.values += records.length;
      for (const record of records) {
        ivs.add(latin1(record.iv));
        result.ivLengths.push(record.iv.length);
        if (latin1(record.data).includes(needle) || new TextDecoder().decode(record.data).includes(needle)) result.containsMarker = true;
      }
      keyNames.forEach((name, i) => {
        const value = keyValues[i];
        if (name === 'identity') result.identityExtractable = (value as CryptoKeyPair).privateKey.extractable;
        if (name === 'seal') result.sealExtractable = (value as CryptoKey).extractable;
      });
      db.close();
    }
    result.ivs = ivs.size;
    result.ivLengths = [...new Set(result.ivLengths)];
    return result;
  }, text);
}

describe('web client: end-to-end encrypted DMs', () => {
  it('two browsers exchange encrypted DMs that the server and IndexedDB never hold in the clear; a reload reads on from IndexedDB; safety numbers match', async () => {
    const secret = marker('SECRET');
    const control = marker('CONTROL');
    const alice = await signIn('alice', { register: true });
    const bob = await signIn('bob', { register: true });

    await type(alice, `/msg bob first ${secret}`);
    await entry(bob, 'alice').click();
    await message(bob, `first ${secret}`).waitFor();
    await type(bob, `reply ${secret}`);
    await message(alice, `reply ${secret}`).waitFor();
    // Both sides: the header's lock, the sidebar entry's, every message encrypted and none marked.
    for (const [page, peer] of [[alice, 'bob'], [bob, 'alice']] as const) {
      await badge(page).getByText('End-to-end encrypted · Not verified').waitFor();
      await expect.poll(() => entry(page, peer).getAttribute('data-encryption')).toBe('encrypted');
      await expect.poll(() => log(page).locator('.msg[data-encrypted="true"]').count()).toBe(2);
      expect(await log(page).getByText('Not encrypted').count()).toBe(0);
      expect(await sidebar(page).getByRole('button', { name: 'general' }).getAttribute('aria-describedby')).toBeTruthy();
    }
    // A room says what it is.
    await entry(alice, 'general').click();
    await badge(alice).getByText('Not end-to-end encrypted (server can read)').waitFor();
    await type(alice, control);
    await message(alice, control).and(alice.locator('.sent')).waitFor();

    // The server has only ciphertext; the grep does find what went in the clear.
    await waitFor(() => filesUnder(testbed.server.dataDir).some((f) => f.bytes.includes(control)), 'the room message in the data dir', 15_000);
    expect(filesUnder(testbed.server.dataDir).filter((f) => f.bytes.includes(secret)).map((f) => f.path)).toEqual([]);
    // IndexedDB: sealed values (a fresh 12-byte IV each), non-extractable keys, and no plaintext, though the archive has both messages.
    for (const page of [alice, bob]) {
      const raw = await readIndexedDb(page, secret);
      expect(raw.databases).toHaveLength(1);
      expect(raw.containsMarker).toBe(false);
      expect(raw.keys.filter((k) => k.startsWith('archive/'))).toHaveLength(2);
      expect(raw.keys.some((k) => k.startsWith('conv/'))).toBe(true);
      expect(raw.ivLengths).toEqual([12]);
      expect(raw.ivs).toBe(raw.values);
      expect(raw.identityExtractable).toBe(false);
      expect(raw.sealExtractable).toBe(false);
    }

    // The same 60 digits on both sides, in 12 groups of 5; marking bob verified shows in the header.
    await entry(alice, 'bob').click();
    const onAlice = await safetyNumber(alice, 'bob');
    const onBob = await safetyNumber(bob, 'alice');
    expect(onAlice).toHaveLength(12);
    for (const group of onAlice) expect(group).toMatch(/^\d{5}$/);
    expect(onBob).toEqual(onAlice);
    const panel = alice.getByRole('dialog', { name: 'Safety number with bob' });
    await panel.getByText('Compare these 60 digits with bob').waitFor();
    await panel.getByRole('button', { name: 'Mark as verified' }).click();
    await panel.getByText("You have verified bob's safety number.").waitFor();
    await panel.getByRole('button', { name: 'Close' }).click();
    await badge(alice).getByText('End-to-end encrypted · Verified').waitFor();
    await bob.keyboard.press('Escape');

    // A reload: the same device (its state in IndexedDB) reads what came meanwhile, its history from the archive, and stays verified.
    await alice.reload();
    await type(bob, `while alice reloaded ${secret}`);
    await signInOnPage(alice, 'alice', PASSWORD);
    await e2eReady(alice);
    await entry(alice, 'bob').click();
    await expect.poll(() => log(alice).locator('.msg[data-encrypted="true"] .msg-text').allTextContents()).toEqual([`first ${secret}`, `reply ${secret}`, `while alice reloaded ${secret}`]);
    await badge(alice).getByText('End-to-end encrypted · Verified').waitFor();
    await type(alice, `after the reload ${secret}`);
    await message(bob, `after the reload ${secret}`).waitFor();
    const carol = await testbed.sdk({ kind: 'register', name: 'carol-e2e-1', password: PASSWORD });
    expect((await carol.request('edevices', { name: 'alice' })).devices).toHaveLength(1);
    expect(await message(bob, `after the reload ${secret}`).getAttribute('data-encrypted')).toBe('true');
    expect(filesUnder(testbed.server.dataDir).filter((f) => f.bytes.includes(secret)).map((f) => f.path)).toEqual([]);
  }, 120_000);

  it('a second tab of the same account runs without encryption, says so, and does not break the first', async () => {
    const first = await signIn('dora', { register: true });
    const erik = await signIn('erik', { register: true });
    await type(first, '/msg erik before the second tab');
    await entry(erik, 'dora').click();
    await message(erik, 'before the second tab').waitFor();

    const second = await first.context().newPage();
    second.setDefaultTimeout(15_000);
    await second.goto(`http://127.0.0.1:${testbed.server.httpPort}/`);
    await signInOnPage(second, 'dora', PASSWORD);
    await second.getByRole('status').filter({ hasText: /encryption is active in another tab/i }).waitFor();
    await entry(second, 'erik').click();
    await log(second).getByText('Encrypted message: read it in the tab where encryption is active.').waitFor();
    await badge(second).getByText('Not encrypted in this tab').waitFor();
    // A DM typed here would go unencrypted: held, with the reason; it goes back to the box.
    await type(second, 'from the second tab');
    await second.getByRole('alert').filter({ hasText: 'This tab does not encrypt' }).waitFor();
    await second.getByRole('button', { name: 'Keep editing' }).click();
    expect(await second.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('from the second tab');

    // The first tab goes on both ways, while the second is open and after it closed.
    await type(erik, 'while two tabs are open');
    await message(first, 'while two tabs are open').waitFor();
    await type(first, 'the first tab still encrypts');
    await message(erik, 'the first tab still encrypts').waitFor();
    await second.close();
    await type(erik, 'after the second tab closed');
    await message(first, 'after the second tab closed').waitFor();
    expect(await message(first, 'after the second tab closed').getAttribute('data-encrypted')).toBe('true');
  }, 120_000);

  it('to someone without keys the composer refuses, then "Send unencrypted" sends it, marked; their reply is marked too', async () => {
    const page = await signIn('fern', { register: true });
    const gus = await testbed.sdk({ kind: 'register', name: 'gus', password: PASSWORD });
    const got: ClientEvents['message'][] = [];
    gus.on('message', (m) => got.push(m));

    await type(page, '/msg gus are you there?');
    const refusal = page.getByRole('alert').filter({ hasText: 'gus has no encryption keys' });
    await refusal.waitFor();
    await badge(page).getByText('Not encrypted', { exact: true }).waitFor();
    expect(got).toEqual([]);
    await page.getByRole('button', { name: 'Send unencrypted' }).click();
    await waitFor(() => got.find((m) => m.text === 'are you there?'), 'gus to get the unencrypted DM');
    expect(got[0]?.encrypted).toBeUndefined();
    await message(page, 'are you there?').getByText('Not encrypted').waitFor();
    await refusal.waitFor({ state: 'detached' });

    await gus.send('fern', 'plain reply');
    await message(page, 'plain reply').getByText('Not encrypted').waitFor();
    // Chosen once for this conversation: the next message goes the same way.
    await type(page, 'and another');
    await waitFor(() => got.find((m) => m.text === 'and another'), 'gus to get the second DM');
    await message(page, 'and another').getByText('Not encrypted').waitFor();
  }, 90_000);

  it("bob resets his identity from a new browser: alice gets a loud banner and cannot send until she accepts the new safety number", async () => {
    const alice = await signIn('hana', { register: true });
    const oldBob = await signIn('ivan', { register: true });
    await type(alice, '/msg ivan hello old ivan');
    await entry(oldBob, 'hana').click();
    await message(oldBob, 'hello old ivan').waitFor();

    // A fresh browser of ivan's: the account's identity is another device's. He resets it (a warning first).
    const newBob = await signIn('ivan', { ready: false });
    await newBob.getByRole('status').filter({ hasText: 'Encryption is not set up in this browser yet' }).waitFor();
    await newBob.getByRole('button', { name: 'Set up encryption' }).click();
    const dialog = newBob.getByRole('dialog', { name: 'Your encryption identity is on another device' });
    await dialog.getByRole('button', { name: 'Reset my identity…' }).click();
    await dialog.getByRole('alert').getByText('Everyone you talk with is told').waitFor();
    await dialog.getByRole('button', { name: 'Reset my identity', exact: true }).click();
    await e2eReady(newBob);
    // The old browser was one of the devices the reset removed.
    await oldBob.locator('.e2e-status[data-e2e="removed"]').waitFor();

    const banner = alice.getByRole('alert').filter({ hasText: "ivan's identity key changed" });
    await banner.waitFor();
    await badge(alice).getByText('End-to-end encrypted · Identity changed').waitFor();
    const input = alice.getByRole('textbox', { name: 'Message' });
    expect(await input.isDisabled()).toBe(true);

    await alice.getByRole('button', { name: 'Compare safety numbers' }).click();
    const panel = alice.getByRole('dialog', { name: 'Safety number with ivan' });
    const digits = await panel.locator('.safety-group').allTextContents();
    await panel.getByRole('alert').getByText("ivan's identity key is not the one you had").waitFor();
    await entry(newBob, 'hana').click();
    expect(await safetyNumber(newBob, 'hana')).toEqual(digits);
    await newBob.keyboard.press('Escape');
    await panel.getByRole('button', { name: 'I have checked the new safety number' }).click();
    await panel.getByText('Not verified yet.').waitFor();
    await panel.getByRole('button', { name: 'Close' }).click();
    await banner.waitFor({ state: 'detached' });
    expect(await input.isDisabled()).toBe(false);

    await type(alice, 'hello new ivan');
    await message(newBob, 'hello new ivan').waitFor();
    expect(await message(newBob, 'hello new ivan').getAttribute('data-encrypted')).toBe('true');
    await type(newBob, 'new ivan here');
    await message(alice, 'new ivan here').waitFor();

    // The removed browser sets itself up again as a new device: its identity key is the old one, so it is asked for the new one.
    await oldBob.getByRole('button', { name: 'Set up this browser again' }).click();
    await oldBob.locator('.layout[data-e2e="conflict"]').waitFor();
    await oldBob.getByRole('button', { name: 'Set up encryption' }).waitFor();
  }, 120_000);
});
