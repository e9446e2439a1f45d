import { ParleyClient } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useWebTestbed } from './web-testbed.ts';

/**
 * Operator actions in the web client's member list, in Debian's Chromium against a
 * real server, driven through accessible roles and names (same setup as web.test.ts).
 */

const testbed = useWebTestbed();
const { cleanups, signIn } = testbed;

const members = (page: Page) => page.getByRole('complementary', { name: 'Members' });
const actions = (page: Page, name: string) => members(page).getByRole('button', { name: `Actions for ${name}` });

describe('web client: operator actions', () => {
  it('an owner reads user info, kicks from the room and bans; a plain user sees only user info; refusals are shown', async () => {
    const alice = await signIn('alice', { password: 'correct-horse', register: true });
    const bob = await signIn('bob');
    const carol = await signIn('carol');
    await actions(alice, 'bob').waitFor();
    await actions(alice, 'carol').waitFor();

    // The menu: keyboard reachable, Escape closes it and gives focus back to its button.
    await actions(alice, 'bob').focus();
    await alice.keyboard.press('Enter');
    const menu = alice.getByRole('menu', { name: 'Actions for bob' });
    await menu.waitFor();
    // The roles behind these items may still be loading when the menu opens.
    await expect.poll(() => menu.getByRole('menuitem').allTextContents()).toEqual(['User info', 'Kick', 'Mute', 'Room role', 'Ban from #general', 'Ban from server']);
    await expect.poll(() => alice.evaluate(() => document.activeElement?.textContent)).toBe('User info');
    await alice.keyboard.press('ArrowDown');
    expect(await alice.evaluate(() => document.activeElement?.textContent)).toBe('Kick');
    await alice.keyboard.press('ArrowUp');
    await alice.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    await expect.poll(() => alice.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Actions for bob');
    // Escape closed only the menu, not the member list.
    expect(await members(alice).isVisible()).toBe(true);

    // User info, with the address (alice is the owner).
    await alice.keyboard.press('Enter');
    await expect.poll(() => alice.evaluate(() => document.activeElement?.textContent)).toBe('User info');
    await alice.keyboard.press('Enter');
    const info = alice.getByRole('dialog', { name: 'User info for bob' });
    await info.getByText('Guest (no account)').waitFor();
    await expect.poll(() => info.textContent()).toMatch(/Roleguest.*StatusOnline.*Connected since .+ over ws from 127\.0\.0\.1.*Rooms#general/);
    await alice.keyboard.press('Escape');
    await info.waitFor({ state: 'detached' });

    // A plain user: user info for everyone, no moderation actions, no addresses.
    await actions(bob, 'alice').click();
    const bobMenu = bob.getByRole('menu', { name: 'Actions for alice' });
    expect(await bobMenu.getByRole('menuitem').allTextContents()).toEqual(['User info']);
    await bobMenu.getByRole('menuitem', { name: 'User info' }).click();
    const aboutAlice = bob.getByRole('dialog', { name: 'User info for alice' });
    await aboutAlice.getByText(/^Account, created /).waitFor();
    await expect.poll(() => aboutAlice.textContent()).toMatch(/Roleowner.*Connected since .+ over ws/);
    expect(await aboutAlice.textContent()).not.toContain('127.0.0.1');
    await aboutAlice.getByRole('button', { name: 'Close' }).click();

    // Kick carol from #general, with a reason.
    await actions(alice, 'carol').click();
    await alice.getByRole('menuitem', { name: 'Kick' }).click();
    const kick = alice.getByRole('dialog', { name: 'Kick carol from #general' });
    await kick.getByLabel('Reason').fill('off topic');
    await kick.getByRole('button', { name: 'Kick' }).click();
    await kick.waitFor({ state: 'detached' });
    await alice.getByRole('log').getByText('You kicked carol from #general: off topic').waitFor();
    await members(alice).locator('li', { hasText: 'carol' }).waitFor({ state: 'detached' });
    await carol.getByRole('log').getByText('You were removed from #general by alice: off topic').waitFor();
    await bob.getByRole('log').getByText('carol left (kicked by alice: off topic)').waitFor();

    // Ban bob from the server for an hour: his page is back on the connect screen.
    await actions(alice, 'bob').click();
    await alice.getByRole('menuitem', { name: 'Ban from server' }).click();
    const ban = alice.getByRole('dialog', { name: 'Ban bob from the server' });
    await ban.getByLabel('Duration').selectOption({ label: '1 hour' });
    await ban.getByLabel('Reason').fill('spam');
    await ban.getByRole('button', { name: 'Ban' }).click();
    await ban.waitFor({ state: 'detached' });
    await alice.getByRole('log').getByText(/^You banned bob from the server until .+: spam \(not 127\.0\.0\.1: exempt, shared by many\)$/).waitFor();
    await bob.getByRole('button', { name: 'Connect', exact: true }).waitFor();
    await expect.poll(() => bob.getByRole('alert').textContent()).toMatch(/ban/i);

    // An operator named while signed in gets the actions when the menu opens, and the
    // server's refusal (an operator cannot ban the owner) is shown in the dialog.
    const dave = await signIn('dave', { password: 'battery-staple', register: true });
    await actions(dave, 'alice').click();
    expect(await dave.getByRole('menu', { name: 'Actions for alice' }).getByRole('menuitem').allTextContents()).toEqual(['User info']);
    await dave.keyboard.press('Escape');
    await dave.getByRole('menu', { name: 'Actions for alice' }).waitFor({ state: 'detached' });
    const owner = new ParleyClient({ url: `tcp://127.0.0.1:${testbed.server.tcpPort}`, transport: nodeTransport(), credentials: { kind: 'login', name: 'alice', password: 'correct-horse' } });
    cleanups.push(() => owner.close());
    await owner.connect();
    await owner.request('grant', { name: 'dave', role: 'operator' });
    await actions(dave, 'alice').click();
    await dave.getByRole('menuitem', { name: 'Ban from server' }).click();
    const refused = dave.getByRole('dialog', { name: 'Ban alice from the server' });
    await refused.getByRole('button', { name: 'Ban' }).click();
    await expect.poll(() => refused.getByRole('alert').textContent()).toMatch(/^You are not allowed to do that\. /);
    await refused.getByRole('button', { name: 'Cancel' }).click();
    await refused.waitFor({ state: 'detached' });
  });
});
