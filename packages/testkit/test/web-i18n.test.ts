import { ParleyClient } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useWebTestbed } from './web-testbed.ts';

/**
 * The web client's languages and wording (docs/web.md, "Languages"): the browser's language
 * picks German or English, times are written the locale's way, and events and errors read as
 * sentences, never as the protocol's names (INVITE_ONLY, invite_only). An invitation comes with a
 * Join button.
 */
const testbed = useWebTestbed();
const { cleanups, signIn } = testbed;

async function sdk(credentials: ConstructorParameters<typeof ParleyClient>[0]['credentials']): Promise<ParleyClient> {
  const client = new ParleyClient({ url: `tcp://127.0.0.1:${testbed.server.tcpPort}`, transport: nodeTransport(), credentials });
  cleanups.push(() => client.close());
  await client.connect();
  return client;
}

async function openIn(browser: Browser, locale: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1100, height: 760 } });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`http://127.0.0.1:${testbed.server.httpPort}/`);
  return page;
}

async function type(page: Page, label: string, text: string): Promise<void> {
  const input = page.getByRole('textbox', { name: label });
  await input.fill(text);
  await input.press('Enter');
}

describe('web client: languages', () => {
  it('a browser set to German gets the German interface, with German times and error sentences', async () => {
    const page = await openIn(testbed.browser, 'de-DE');
    await page.getByRole('heading', { name: 'Bei Parley anmelden' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de-DE');
    await page.getByRole('textbox', { name: 'Name' }).fill('hans');
    await page.getByRole('checkbox', { name: 'Neues Konto mit diesem Namen anlegen' }).waitFor();
    await page.getByRole('button', { name: 'Verbinden' }).click();
    await page.getByRole('textbox', { name: 'Nachricht' }).waitFor();
    await page.getByRole('navigation', { name: 'Unterhaltungen' }).getByRole('heading', { name: 'Räume' }).waitFor();
    await page.getByRole('complementary', { name: 'Mitglieder' }).waitFor();
    await page.getByRole('button', { name: 'Abwesend setzen' }).waitFor();

    await type(page, 'Nachricht', 'Guten Tag');
    const sent = page.getByRole('log').locator('.msg.sent', { hasText: 'Guten Tag' });
    await sent.waitFor();
    // Today's messages show the time alone, as German writes it: 24 hours, no AM/PM.
    expect(await sent.locator('time').first().textContent()).toMatch(/^\d{2}:\d{2}$/);
    await page.getByRole('log').getByRole('separator').getByText('Heute').waitFor();

    // An error of the server, as a German sentence (the server's own English detail after it), never its name.
    await type(page, 'Nachricht', '/msg niemand-da hallo');
    // A first /msg that fails leaves no conversation: the sentence shows where it was typed.
    const failed = page.getByText(/^Nicht an niemand-da gesendet: Niemand hat diesen Namen\./);
    await failed.waitFor();
    expect(await failed.textContent()).not.toContain('NO_SUCH_USER');
    await type(page, 'Nachricht', '/frobnicate');
    await page.getByRole('log').getByText('Unbekannter Befehl /frobnicate. Tippe /help für die Liste.').waitFor();
    await type(page, 'Nachricht', '/help');
    await page.getByRole('dialog', { name: 'Befehle' }).getByText('einem Raum beitreten (ein Raum, den es noch nicht gibt, wird angelegt)').waitFor();
  });

  it('a browser set to US English gets the English interface and 12-hour times', async () => {
    const page = await openIn(testbed.browser, 'en-US');
    await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
    await page.getByRole('textbox', { name: 'Name' }).fill('hank');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await type(page, 'Message', 'Good day');
    const sent = page.getByRole('log').locator('.msg.sent', { hasText: 'Good day' });
    await sent.waitFor();
    expect(await sent.locator('time').first().textContent()).toMatch(/^\d{2}:\d{2}\s?[AP]M$/);
    await page.getByRole('log').getByRole('separator').getByText('Today').waitFor();
    expect(await page.getByRole('button', { name: 'Set away' }).count()).toBe(1);
  });

  it('a language without a catalog falls back to English', async () => {
    const page = await openIn(testbed.browser, 'fr-FR');
    await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
  });
});

describe('web client: events and errors as sentences', () => {
  it('an invite-only refusal is a sentence; the invitation reads "alice invited you to #dev" and its Join button joins', async () => {
    const alice = await sdk({ kind: 'register', name: 'alice', password: 'alice-password' });
    await alice.join('#dev');
    await alice.request('mode', { room: '#dev', invite_only: true });
    const bob = await signIn('bob');
    const log = bob.getByRole('log');

    await type(bob, 'Message', '/join #dev');
    await log.getByText(/^This room is invite-only: you need an invitation from one of its moderators\./).waitFor();
    expect(await log.textContent()).not.toMatch(/INVITE_ONLY|invite_only/);

    await alice.request('invite', { room: '#dev', name: 'bob' });
    const invitation = log.locator('.notice', { hasText: 'alice invited you to #dev' });
    await invitation.waitFor();
    expect(await invitation.locator('.notice-text').textContent()).toBe('alice invited you to #dev');
    await invitation.getByRole('button', { name: 'Join #dev' }).click();
    await bob.getByRole('heading', { name: '#dev', level: 1 }).waitFor();

    // A mode change by someone else reads as the settings name it, not the server's words.
    await alice.request('mode', { room: '#dev', moderated: true });
    await bob.getByRole('log').getByText('alice set the modes of #dev: invite-only, moderated').waitFor();
  });
});
