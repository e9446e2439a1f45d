import { ParleyClient } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../src/browser.ts';
import { waitFor } from '../src/index.ts';
import { useWebTestbed, type } from './web-testbed.ts';

/**
 * The web client against WCAG 2.2 AA (docs/web.md, "Accessibility"): axe-core finds nothing on
 * the connect screen, the chat screen and an open dialog, in the light and the dark palette;
 * closing a dialog puts the focus back on what opened it; new messages are read out through a
 * polite live region, not the whole log; /help is a dialog, not lines in the conversation; and
 * the controls are large enough to hit on a phone.
 */
const testbed = useWebTestbed();
const { cleanups, signIn } = testbed;


const activeLabel = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.id ?? null);

async function sdkGuest(name: string): Promise<ParleyClient> {
  const client = new ParleyClient({ url: `tcp://127.0.0.1:${testbed.server.tcpPort}`, transport: nodeTransport(), credentials: { kind: 'guest', name } });
  cleanups.push(() => client.close());
  await client.connect();
  return client;
}

describe('web client: accessibility', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`axe finds no WCAG 2.2 AA violation on the connect screen, the chat screen and an open dialog (${colorScheme})`, async () => {
      const context = await testbed.browser.newContext({ locale: 'en-US', colorScheme, bypassCSP: true, viewport: { width: 1100, height: 760 } });
      cleanups.push(() => context.close());
      const connect = await context.newPage();
      await connect.goto(`http://127.0.0.1:${testbed.server.httpPort}/`);
      await connect.getByRole('button', { name: 'Connect', exact: true }).waitFor();
      expect(await axeViolations(connect)).toEqual([]);

      const peer = await sdkGuest(`peer-${colorScheme}`);
      const page = await signIn(`axe-${colorScheme}`, { colorScheme, bypassCSP: true });
      await page.getByRole('heading', { name: '#general', level: 1 }).waitFor();
      // Something in every kind of row: a message from someone, one of ours, a notice.
      await peer.send('#general', `hello ${colorScheme}, see https://example.org/ for the agenda`);
      await page.getByRole('log').getByText(`hello ${colorScheme}, see`).waitFor();
      await type(page, `my ${colorScheme} answer`);
      await page.getByRole('log').locator('.msg.sent', { hasText: `my ${colorScheme} answer` }).waitFor();
      await type(page, '/topic');
      await page.getByRole('log').getByText('No topic is set').waitFor();
      await page.getByRole('complementary', { name: 'Members' }).getByRole('button', { name: `Actions for peer-${colorScheme}` }).waitFor();
      expect(await axeViolations(page)).toEqual([]);

      await type(page, '/help');
      await page.getByRole('dialog', { name: 'Commands' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog', { name: 'Commands' }).waitFor({ state: 'detached' });

      await page.getByRole('button', { name: `Actions for peer-${colorScheme}` }).click();
      await page.getByRole('menuitem', { name: 'User info' }).click();
      const info = page.getByRole('dialog', { name: `User info for peer-${colorScheme}` });
      await info.getByText('Guest (no account)').waitFor();
      expect(await axeViolations(page)).toEqual([]);
    }, 90_000);
  }

  it('closing a dialog gives the focus back to what opened it; /help is a grouped panel, not lines in the log', async () => {
    await sdkGuest('focus-peer');
    const page = await signIn('focuser');
    const input = page.getByRole('textbox', { name: 'Message' });

    // /help typed in the message box: a dialog with the groups; Escape returns to the box.
    await input.fill('/help');
    await input.press('Enter');
    const help = page.getByRole('dialog', { name: 'Commands' });
    await help.waitFor();
    for (const group of ['This client', 'Chat', 'Moderators and operators', 'Keys']) await help.getByRole('heading', { name: group }).waitFor();
    await help.getByText('/join <#room> [password]').waitFor();
    await help.getByText('join a room (a room that does not exist yet is created)').waitFor();
    await help.getByText('/query <name>').waitFor();
    await help.getByText('/mute [#room] <name> [reason]').waitFor();
    expect(await page.getByRole('log').getByText('Commands:').count()).toBe(0);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    await expect.poll(() => activeLabel(page)).toBe('Message');
    // The Close button works as well, from the keyboard.
    await input.fill('/help');
    await input.press('Enter');
    await help.getByRole('button', { name: 'Close' }).focus();
    await page.keyboard.press('Enter');
    await help.waitFor({ state: 'detached' });
    await expect.poll(() => activeLabel(page)).toBe('Message');

    // A member's User info, opened by keyboard from the actions menu: Escape, then the menu button has the focus.
    const actions = page.getByRole('button', { name: 'Actions for focus-peer' });
    await actions.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('User info');
    await page.keyboard.press('Enter');
    const info = page.getByRole('dialog', { name: 'User info for focus-peer' });
    await info.waitFor();
    await page.keyboard.press('Escape');
    await info.waitFor({ state: 'detached' });
    await expect.poll(() => activeLabel(page)).toBe('Actions for focus-peer');
  });

  it('announces new messages from others in a polite live region, and neither history nor our own sends', async () => {
    const talker = await sdkGuest('talker');
    await talker.send('#general', 'said before the page opened');
    const page = await signIn('listener');
    await page.getByRole('log').getByText('said before the page opened').waitFor();
    const log = page.getByRole('log');
    expect(await log.getAttribute('aria-live')).toBe('off');
    const region = page.getByTestId('live-messages');
    expect(await region.getAttribute('aria-live')).toBe('polite');
    expect(await region.textContent()).toBe('');

    await type(page, 'my own words');
    await log.locator('.msg.sent', { hasText: 'my own words' }).waitFor();
    await talker.send('#general', 'fresh news');
    await waitFor(async () => (await region.textContent())?.includes('talker: fresh news'), 'the new message in the live region');
    const said = await region.locator('p').allTextContents();
    expect(said).toEqual(['talker: fresh news']);
  });

  it('on a phone, the controls are at least 44 px; on a desktop at least 24 px', async () => {
    const sizes = async (page: Page) =>
      page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('button, summary, [role="menuitem"]')]
          .filter((el) => el.checkVisibility({ visibilityProperty: true }))
          .map((el) => {
            const box = el.getBoundingClientRect();
            return { name: el.getAttribute('aria-label') ?? el.textContent?.trim() ?? '', width: Math.round(box.width), height: Math.round(box.height) };
          })
          .filter((box) => box.width > 0 && box.height > 0),
      );
    await sdkGuest('tap-peer');
    const phone = await signIn('thumbs', { viewport: { width: 390, height: 844 } });
    await phone.getByRole('button', { name: 'Members' }).click();
    await phone.getByRole('button', { name: 'Actions for tap-peer' }).waitFor({ state: 'visible' });
    expect((await sizes(phone)).filter((box) => box.height < 44 || box.width < 44)).toEqual([]);

    const desk = await signIn('mouse');
    await desk.getByRole('button', { name: 'Actions for tap-peer' }).waitFor();
    expect((await sizes(desk)).filter((box) => box.height < 24 || box.width < 24)).toEqual([]);
  });
});
