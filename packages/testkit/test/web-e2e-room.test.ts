import type { ChatMessage } from '@parley/protocol';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { e2eReady, signInOnPage, useWebTestbed, type } from './web-testbed.ts';
import { badge, entry, log, marker, message, sidebar } from './web-e2e-locators.ts';

/**
 * End-to-end encrypted rooms in the web client (docs/web.md, "Encrypted rooms"), in Debian's
 * Chromium against a real server: a room's owner turns encryption on in Room settings (after
 * confirming it cannot be undone), both browsers then show the room encrypted and read each
 * other's messages, while the server's own copy is ciphertext (read raw by a plain SDK client);
 * a room made encrypted from the sidebar; a tab without encryption in such a room says its
 * messages need encryption instead of sending them. The SDK's side is e2e-room.test.ts.
 */
const testbed = useWebTestbed({ limits: { messages_per_minute: 60_000, message_burst: 10_000 } });
const PASSWORD = 'correct-horse-room';

async function signIn(name: string): Promise<Page> {
  const page = await testbed.signIn(name, { password: PASSWORD, register: true });
  await e2eReady(page);
  return page;
}


/** Joins (or creates) a room by typing, and waits until the page shows it. */
async function join(page: Page, room: string): Promise<void> {
  await type(page, `/join ${room}`);
  await page.getByRole('heading', { name: room, level: 1 }).waitFor();
}

/** The page's header and sidebar both say the room is end-to-end encrypted. */
async function showsEncrypted(page: Page, room: string): Promise<void> {
  await badge(page).getByText('End-to-end encrypted', { exact: true }).waitFor();
  await expect.poll(() => badge(page).getAttribute('data-encryption')).toBe('encrypted');
  await expect.poll(() => entry(page, room.slice(1)).getAttribute('data-encryption')).toBe('encrypted');
}

describe('web client: end-to-end encrypted rooms', () => {
  it("the owner turns encryption on in Room settings; both browsers show it and read each other's messages; the server keeps ciphertext", async () => {
    const secret = marker('SECRET');
    const before = marker('BEFORE');
    const alice = await signIn('alma');
    await join(alice, '#vault');
    const bob = await signIn('bert');
    await join(bob, '#vault');
    await badge(bob).getByText('Not end-to-end encrypted (server can read)').waitFor();
    await type(alice, `plain ${before}`);
    await message(bob, `plain ${before}`).waitFor();

    // Room settings: the checkbox asks for a second tick that says it cannot be undone.
    await alice.getByRole('button', { name: 'Room settings' }).click();
    const settings = alice.getByRole('dialog', { name: 'Settings of #vault' });
    const encryption = settings.getByRole('checkbox', { name: /^End-to-end encrypted/ });
    await expect.poll(() => encryption.isEnabled()).toBe(true);
    await encryption.check();
    await settings.getByRole('alert').getByText('End-to-end encryption cannot be turned off again.').waitFor();
    const save = settings.getByRole('button', { name: 'Save' });
    expect(await save.isDisabled()).toBe(true);
    await settings.getByRole('checkbox', { name: 'I understand that this cannot be undone' }).check();
    await save.click();
    await settings.waitFor({ state: 'detached' });
    await log(alice).getByText('You set the modes of #vault: end-to-end encrypted').waitFor();
    // Bob hears it from the mode notice.
    await log(bob).getByText('alma set the modes of #vault: end-to-end encrypted').waitFor();
    for (const page of [alice, bob]) await showsEncrypted(page, '#vault');
    // What was said before the switch went in the clear, and says so now.
    await message(bob, `plain ${before}`).getByText('Not encrypted').waitFor();

    // Once on: shown ticked, and off-limits.
    await alice.getByRole('button', { name: 'Room settings' }).click();
    await expect.poll(() => encryption.isChecked()).toBe(true);
    expect(await encryption.isDisabled()).toBe(true);
    await settings.getByText('on for good: it cannot be turned off').waitFor();
    await settings.getByRole('button', { name: 'Cancel' }).click();
    await settings.waitFor({ state: 'detached' });

    await type(bob, `from bob ${secret}`);
    await message(alice, `from bob ${secret}`).waitFor();
    await type(alice, `from alma ${secret}`);
    await message(bob, `from alma ${secret}`).waitFor();
    for (const page of [alice, bob]) {
      for (const text of [`from bob ${secret}`, `from alma ${secret}`]) {
        await expect.poll(() => message(page, text).getAttribute('data-encrypted')).toBe('true');
        expect(await message(page, text).getByText('Not encrypted').count()).toBe(0);
      }
    }

    // The server's copy, read raw by someone without encryption: the messages since the switch are MLS ciphertext and commits.
    const reader = await testbed.sdk({ kind: 'register', name: 'carla', password: PASSWORD });
    const page = await reader.request('history', { with: '#vault', limit: 100 });
    const plain = page.messages.find((m) => m.text === `plain ${before}`) as ChatMessage;
    const since = page.messages.filter((m) => m.seq > plain.seq);
    expect(new Set(since.map((m) => m.kind))).toEqual(new Set(['mls', 'mls_commit']));
    expect(since.filter((m) => m.kind === 'mls').length).toBeGreaterThanOrEqual(2);
    expect(page.messages.filter((m) => m.text.includes(secret))).toEqual([]);
    // Someone without encryption may join, but not write there: the server says why.
    await reader.join('#vault');
    await expect(reader.send('#vault', 'plain words')).rejects.toMatchObject({ errorName: 'E2E_ROOM_ENCRYPTED' });
  }, 120_000);

  it('a room made encrypted from the sidebar; a tab without encryption there says messages need it and sends none', async () => {
    const secret = marker('CRYPT');
    const dora = await signIn('dorit');
    await sidebar(dora).getByRole('button', { name: 'Join a room' }).click();
    await sidebar(dora).getByRole('checkbox', { name: 'New end-to-end encrypted room' }).check();
    const name = sidebar(dora).getByRole('textbox', { name: 'Join a room' });
    await name.fill('#crypt');
    await name.press('Enter');
    await dora.getByRole('heading', { name: '#crypt', level: 1 }).waitFor();
    await showsEncrypted(dora, '#crypt');
    await type(dora, `before erik ${secret}`);
    await message(dora, `before erik ${secret}`).and(dora.locator('.sent')).waitFor();

    // The join reply says so to whoever comes in; what was said before their device was added stays unreadable to it.
    const erik = await signIn('eriko');
    await join(erik, '#crypt');
    await showsEncrypted(erik, '#crypt');
    await log(erik).locator('.msg[data-from="dorit"]').getByText("This message was sent before this device was added to the room's encryption: it cannot be read here.").waitFor();
    await type(erik, `hello ${secret}`);
    await message(dora, `hello ${secret}`).waitFor();
    expect(await message(dora, `hello ${secret}`).getAttribute('data-encrypted')).toBe('true');

    // A second tab of dora's: no encryption here. It learns the room is encrypted from its login.
    const second = await dora.context().newPage();
    second.setDefaultTimeout(15_000);
    await second.goto(`http://127.0.0.1:${testbed.server.httpPort}/`);
    await signInOnPage(second, 'dorit', PASSWORD);
    await second.getByRole('status').filter({ hasText: /encryption is active in another tab/i }).waitFor();
    await entry(second, 'crypt').click();
    await badge(second).getByText('End-to-end encrypted · Not in this tab').waitFor();
    // Both messages so far, as ciphertext this tab cannot open.
    await expect.poll(() => log(second).getByText('Encrypted message: read it in the tab where encryption is active.').count()).toBe(2);
    const needs = 'This room is end-to-end encrypted: messages to it need encryption, which this browser does not have set up.';
    await second.getByRole('status').filter({ hasText: needs }).waitFor();
    // A message stays in the box (Send is off), and nothing reaches the room.
    const box = second.getByRole('textbox', { name: 'Message' });
    await box.fill('from the plain tab');
    expect(await second.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await box.press('Enter');
    expect(await box.inputValue()).toBe('from the plain tab');
    // Commands still go: /me is a message, which the server refuses with the same sentence.
    await box.fill('/me waves');
    await box.press('Enter');
    await log(second).locator('.msg.failed', { hasText: needs }).waitFor();

    // The first tab and erik go on, and the plain tab never sent anything.
    await type(dora, `still here ${secret}`);
    await message(erik, `still here ${secret}`).waitFor();
    const got = await erik.evaluate(() => [...document.querySelectorAll('[role="log"] .msg .msg-text')].map((el) => el.textContent ?? ''));
    expect(got.filter((text) => text.includes('from the plain tab') || text.includes('waves'))).toEqual([]);
  }, 120_000);
});
