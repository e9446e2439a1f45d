import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryE2eStorage, ParleyClient, type ClientEvents } from '@parley/client';
import { nodeIdentityKey, nodeTransport } from '@parley/client/node';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../src/browser.ts';
import { waitFor } from '../src/index.ts';
import { E2eBed } from './e2e-dm-testbed.ts';
import { e2eReady, safetyNumberGroups, signInOnPage, useWebTestbed, type } from './web-testbed.ts';
import { badge, entry, message } from './web-e2e-locators.ts';

/**
 * The web client's end-to-end identity across devices (docs/web.md, "Several devices"), in
 * Debian's Chromium against a real server: a browser of an account set up on a terminal imports
 * that device's identity key file (other files refused in place); a message tampered with on the
 * way leaves one quiet line; and axe-core finds nothing on the encryption indicators, the safety
 * number panel, a held message, the identity dialog and the banners. The DMs themselves:
 * web-e2e.test.ts.
 */
const testbed = useWebTestbed({ limits: { messages_per_minute: 60_000, message_burst: 10_000 } });
const PASSWORD = 'correct-horse-e2e';

/** Signs in (a new browser, English, desktop) and waits until the page's device can be written to, unless `ready: false`. */
async function signIn(name: string, options: { register?: boolean; ready?: boolean; colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
  const page = await testbed.signIn(name, { password: PASSWORD, ...(options.register ? { register: true } : {}), ...(options.colorScheme ? { colorScheme: options.colorScheme, bypassCSP: true } : {}) });
  if (options.ready !== false) await e2eReady(page);
  return page;
}


describe('web client: end-to-end identity on several devices', () => {
  it("a browser of an account set up on a terminal imports that device's identity key file, and both devices read the account's DMs", async () => {
    // The terminal client's identity key: a PKCS#8 PEM file (nodeIdentityKey writes it, mode 0600), and its device.
    const dir = mkdtempSync(join(tmpdir(), 'parley-web-identity-'));
    testbed.cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'identity.pem');
    const terminal = new ParleyClient({
      url: `tcp://127.0.0.1:${testbed.server.tcpPort}`,
      transport: nodeTransport(),
      credentials: { kind: 'register', name: 'jack', password: PASSWORD },
      e2e: { identity: await nodeIdentityKey(file, { create: true }), storage: memoryE2eStorage() },
    });
    testbed.cleanups.push(() => terminal.close());
    const got: ClientEvents['message'][] = [];
    terminal.on('message', (m) => got.push(m));
    await terminal.connect();
    await terminal.e2e?.whenReady();

    const page = await signIn('jack', { ready: false });
    await page.getByRole('button', { name: 'Set up encryption' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your encryption identity is on another device' });
    const chooser = dialog.getByLabel('Identity key file');
    // Not a key, and a key that is not jack's: refused in place.
    await chooser.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just some notes') });
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.getByRole('alert').getByText('This file is not a private key file (PKCS#8, PEM or DER).').waitFor();
    const stranger = join(dir, 'stranger.pem');
    await nodeIdentityKey(stranger, { create: true });
    await chooser.setInputFiles(stranger);
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.getByRole('alert').getByText('This key is not the identity of jack on this server.').waitFor();
    await chooser.setInputFiles(file);
    await dialog.getByRole('button', { name: 'Import' }).click();
    await e2eReady(page);

    const kate = await signIn('kate', { register: true });
    await type(kate, '/msg jack hello both of you');
    await waitFor(() => got.find((m) => m.text === 'hello both of you' && m.encrypted), 'the terminal to read it', 20_000);
    await entry(page, 'kate').click();
    await message(page, 'hello both of you').and(page.locator('[data-encrypted="true"]')).waitFor();
    await badge(page).getByText('End-to-end encrypted · Not verified').waitFor();
    await type(page, 'from the browser');
    await message(kate, 'from the browser').and(kate.locator('[data-encrypted="true"]')).waitFor();
    await waitFor(() => got.find((m) => m.text === 'from the browser' && m.encrypted), 'the terminal to read what the browser sent', 20_000);

    // The identity stays in this browser: a reload does not ask again.
    await page.reload();
    await signInOnPage(page, 'jack', PASSWORD);
    await e2eReady(page);
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect((await terminal.request('edevices', { name: 'jack' })).devices).toHaveLength(2);
  }, 120_000);

  it('a message this browser cannot decrypt (tampered with on the way) leaves one quiet line, and the conversation goes on', async () => {
    const page = await signIn('lena', { register: true });
    const bed = new E2eBed(testbed.server);
    testbed.cleanups.push(() => bed.cleanUp());
    const mats = await bed.device(await bed.person('mats'));
    await mats.client.send('lena', 'before');
    await entry(page, 'mats').click();
    await message(page, 'before').and(page.locator('[data-encrypted="true"]')).waitFor();
    // Something between mats's device and the server flips a byte of his next ciphertext.
    mats.outgoing.rewrite = (frame) => {
      if (frame.cmd !== 'esend') return frame;
      mats.outgoing.rewrite = undefined;
      const bytes = Buffer.from(String(frame.data), 'base64url');
      bytes[bytes.length - 5]! ^= 0x01;
      return { ...frame, data: bytes.toString('base64url') };
    };
    const [tampered] = await mats.client.send('lena', 'changed on the way');
    await mats.client.send('lena', 'after');
    await message(page, 'after').waitFor();
    const line = page.getByRole('log').locator('.notice.undecryptable');
    await expect.poll(() => line.count()).toBe(1);
    expect(await line.textContent()).toBe('A message could not be decrypted on this device.');
    expect(await line.getAttribute('data-seq')).toBe(String(tampered?.seq));
    expect(await line.getAttribute('title')).toBe('E2E_DECRYPT_FAILED');
    expect(await page.getByRole('log').locator('.msg-text').allTextContents()).toEqual(['before', 'after']);
  }, 90_000);

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`axe finds no WCAG 2.2 AA violation on the indicators, the safety number panel, a held message, the identity dialog and the banners (${colorScheme})`, async () => {
      const axe = async (page: Page, what: string) => expect(await axeViolations(page), what).toEqual([]);
      const me = await signIn(`axe-me-${colorScheme}`, { register: true, colorScheme });
      const peer = await signIn(`axe-peer-${colorScheme}`, { register: true, colorScheme });
      await type(me, `/msg axe-peer-${colorScheme} hello`);
      await entry(peer, `axe-me-${colorScheme}`).click();
      await message(peer, 'hello').waitFor();
      await type(peer, 'hi back');
      await message(me, 'hi back').waitFor();
      await badge(me).getByText('End-to-end encrypted · Not verified').waitFor();
      await axe(me, 'an encrypted DM');
      await safetyNumberGroups(me, `axe-peer-${colorScheme}`);
      await axe(me, 'the safety number panel');
      await me.keyboard.press('Escape');

      const plain = await testbed.sdk({ kind: 'register', name: `axe-plain-${colorScheme}`, password: PASSWORD });
      await type(me, `/msg ${plain.identity?.name ?? ''} unencrypted?`);
      await me.getByRole('button', { name: 'Send unencrypted' }).waitFor();
      await axe(me, 'a held message');
      await me.getByRole('button', { name: 'Send unencrypted' }).click();
      await message(me, 'unencrypted?').getByText('Not encrypted').waitFor();
      await axe(me, 'an unencrypted DM');

      // The peer starts over in a new browser: the identity dialog there, the loud banner here.
      const fresh = await signIn(`axe-peer-${colorScheme}`, { ready: false, colorScheme });
      await fresh.getByRole('button', { name: 'Set up encryption' }).click();
      const dialog = fresh.getByRole('dialog', { name: 'Your encryption identity is on another device' });
      await dialog.waitFor();
      await axe(fresh, 'the identity dialog');
      await dialog.getByRole('button', { name: 'Reset my identity…' }).click();
      await axe(fresh, 'the reset warning');
      await dialog.getByRole('button', { name: 'Reset my identity', exact: true }).click();
      await e2eReady(fresh);
      await entry(me, `axe-peer-${colorScheme}`).click();
      await me.getByRole('alert').filter({ hasText: 'identity key changed' }).waitFor();
      await axe(me, 'the identity-changed banner');
      await me.getByRole('button', { name: 'Compare safety numbers' }).click();
      await me.getByRole('dialog').getByRole('button', { name: 'I have checked the new safety number' }).waitFor();
      await axe(me, 'the panel of a changed identity');
    }, 120_000);
  }
});
