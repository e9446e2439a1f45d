import { ParleyClient, type Credentials } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useWebTestbed } from './web-testbed.ts';

/**
 * Room moderation in the web client (docs/web.md, "Room moderation"): a room's owner mutes,
 * sets room roles, changes the modes, invites and bans from the room through the member menu
 * and the room header, in Debian's Chromium against a real server, driven through accessible
 * roles and names (same setup as web-operator.test.ts). The people on the other end are SDK
 * clients, so the server's error names can be checked exactly.
 */

const testbed = useWebTestbed();
const { cleanups, signIn } = testbed;

async function sdk(credentials: Credentials): Promise<ParleyClient> {
  const client = new ParleyClient({ url: `tcp://127.0.0.1:${testbed.server.tcpPort}`, transport: nodeTransport(), credentials });
  cleanups.push(() => client.close());
  await client.connect();
  return client;
}

async function type(page: Page, text: string): Promise<void> {
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill(text);
  await input.press('Enter');
}

const members = (page: Page) => page.getByRole('complementary', { name: 'Members' });
const actions = (page: Page, name: string) => members(page).getByRole('button', { name: `Actions for ${name}` });
const said = (page: Page, text: string | RegExp) => page.getByRole('log').getByText(text).waitFor();

/** Opens a member's menu and picks one item by its exact name ("Mute" is part of "Unmute"). */
async function choose(page: Page, name: string, item: string): Promise<void> {
  await actions(page, name).click();
  await page.getByRole('menuitem', { name: item, exact: true }).click();
}

async function menuItems(page: Page, name: string): Promise<string[]> {
  await actions(page, name).click();
  const menu = page.getByRole('menu', { name: `Actions for ${name}` });
  // The menu moves focus to its first item once it has rendered; Escape closes it from there.
  await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('menuitem');
  const items = await menu.getByRole('menuitem').allTextContents();
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
  return items;
}

describe('web client: room moderation', () => {
  it("a room's owner mutes, names moderators, sets modes, invites and bans from the room; a plain member sees none of it", async () => {
    // The first account owns the server; olivia is a plain user who owns only the room she creates.
    await (await sdk({ kind: 'register', name: 'root', password: 'root-password' })).close();
    const olivia = await signIn('olivia', { password: 'olivia-password', register: true });
    await type(olivia, '/join #den');
    await olivia.getByRole('heading', { name: '#den', level: 1 }).waitFor();
    const bob = await signIn('bob');
    await type(bob, '/join #den');
    await bob.getByRole('heading', { name: '#den', level: 1 }).waitFor();
    const sam = await sdk({ kind: 'guest', name: 'sam' });
    await sam.join('#den');
    const otto = await sdk({ kind: 'guest', name: 'otto' });

    // The owner's controls: room moderation in each member's menu, settings and invite in the header.
    await olivia.getByRole('button', { name: 'Room settings' }).waitFor();
    await olivia.getByRole('button', { name: 'Invite to #den' }).waitFor();
    await actions(olivia, 'sam').waitFor();
    await expect.poll(() => menuItems(olivia, 'sam')).toEqual(['User info', 'Kick', 'Mute', 'Room role', 'Ban from #den']);

    // A plain member: user info only, no header controls, and the server refuses the command.
    expect(await menuItems(bob, 'olivia')).toEqual(['User info']);
    expect(await bob.getByRole('button', { name: 'Room settings' }).count()).toBe(0);
    expect(await bob.getByRole('button', { name: 'Invite to #den' }).count()).toBe(0);
    await type(bob, '/mute sam');
    // A refusal reads as a sentence with the server's reason, not as its error name.
    await said(bob, /^You are not allowed to do that\. MUTE in #den needs/);

    // Mute, then unmute, from the member menu.
    await choose(olivia, 'sam', 'Mute');
    const mute = olivia.getByRole('dialog', { name: 'Mute sam in #den' });
    await mute.getByLabel('Reason').fill('calm down');
    await mute.getByRole('button', { name: 'Mute', exact: true }).click();
    await mute.waitFor({ state: 'detached' });
    await said(olivia, 'You muted sam in #den: calm down');
    await expect(sam.request('send', { to: '#den', text: 'hello?' })).rejects.toMatchObject({ errorName: 'MUTED' });
    // The moderator's member list marks the mute, and the menu now offers to lift it.
    await olivia.getByRole('complementary', { name: 'Members' }).getByRole('button', { name: /^sam.*, muted/ }).waitFor();
    await expect.poll(() => menuItems(olivia, 'sam')).toEqual(['User info', 'Kick', 'Unmute', 'Room role', 'Ban from #den']);
    await choose(olivia, 'sam', 'Unmute');
    const unmute = olivia.getByRole('dialog', { name: 'Unmute sam in #den' });
    await unmute.getByRole('button', { name: 'Unmute' }).click();
    await unmute.waitFor({ state: 'detached' });
    await said(olivia, 'You unmuted sam in #den');
    await sam.request('send', { to: '#den', text: 'back again' });
    await said(olivia, 'back again');

    // Room roles: bob made moderator gets the moderator's controls (not the owner's), and the
    // server's refusal of muting the owner stays in his dialog; made member again, he loses them.
    await choose(olivia, 'bob', 'Room role');
    const role = olivia.getByRole('dialog', { name: 'Room role of bob in #den' });
    await expect.poll(() => role.getByRole('radio', { name: /^Member/ }).isChecked()).toBe(true);
    await role.getByRole('radio', { name: /^Moderator/ }).check();
    await role.getByRole('button', { name: 'Set role' }).click();
    await role.waitFor({ state: 'detached' });
    await said(olivia, 'You made bob moderator of #den');
    await said(bob, 'olivia made you moderator of #den');
    // The member list marks the room's owner and moderators.
    const members = olivia.getByRole('complementary', { name: 'Members' });
    await members.getByRole('button', { name: /^bob.*, room moderator/ }).waitFor();
    await members.getByRole('button', { name: /^olivia.*, room owner/ }).waitFor();
    // bob's own page hears of it through the room_role event.
    await bob.getByRole('complementary', { name: 'Members' }).getByRole('button', { name: /^bob.*, room moderator/ }).waitFor();
    await bob.getByRole('button', { name: 'Room settings' }).waitFor();
    await expect.poll(() => menuItems(bob, 'sam')).toEqual(['User info', 'Kick', 'Mute', 'Ban from #den']);
    await choose(bob, 'olivia', 'Mute');
    const refused = bob.getByRole('dialog', { name: 'Mute olivia in #den' });
    await refused.getByRole('button', { name: 'Mute', exact: true }).click();
    await expect.poll(() => refused.getByRole('alert').textContent()).toMatch(/^You are not allowed to do that\. olivia is .*owner of #den/);
    await refused.getByRole('button', { name: 'Cancel' }).click();
    await refused.waitFor({ state: 'detached' });
    await choose(olivia, 'bob', 'Room role');
    await expect.poll(() => role.getByRole('radio', { name: /^Moderator/ }).isChecked()).toBe(true);
    await role.getByRole('radio', { name: /^Member/ }).check();
    await role.getByRole('button', { name: 'Set role' }).click();
    await role.waitFor({ state: 'detached' });
    await bob.getByRole('button', { name: 'Room settings' }).waitFor({ state: 'detached' });

    // Invite-only from the room settings: an outsider is refused until invited from the header.
    await olivia.getByRole('button', { name: 'Room settings' }).click();
    const settings = olivia.getByRole('dialog', { name: 'Settings of #den' });
    await settings.getByRole('checkbox', { name: /^Invite only/ }).check();
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.waitFor({ state: 'detached' });
    await said(olivia, 'You set the modes of #den: invite-only');
    await said(bob, 'olivia set the modes of #den: invite-only');
    await expect(otto.join('#den')).rejects.toMatchObject({ errorName: 'INVITE_ONLY' });
    await olivia.getByRole('button', { name: 'Invite to #den' }).click();
    const invite = olivia.getByRole('dialog', { name: 'Invite someone to #den' });
    await invite.getByLabel('Name').fill('otto');
    await invite.getByRole('button', { name: 'Invite' }).click();
    await invite.waitFor({ state: 'detached' });
    await said(olivia, 'You invited otto to #den');
    await otto.join('#den');
    await actions(olivia, 'otto').waitFor();

    // The same from the message box: a moderated room silences members; the settings show it.
    await type(olivia, '/mode +m');
    await said(olivia, 'You set the modes of #den: invite-only, moderated');
    await expect(sam.request('send', { to: '#den', text: 'anyone?' })).rejects.toMatchObject({ errorName: 'MUTED' });
    await olivia.getByRole('button', { name: 'Room settings' }).click();
    await expect.poll(() => settings.getByRole('checkbox', { name: /^Moderated/ }).isChecked()).toBe(true);
    await settings.getByRole('checkbox', { name: /^Moderated/ }).uncheck();
    await settings.getByRole('checkbox', { name: /^Invite only/ }).uncheck();
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.waitFor({ state: 'detached' });
    await said(olivia, 'You set the modes of #den: none');

    // Ban from the room: sam is removed and cannot come back.
    await choose(olivia, 'sam', 'Ban from #den');
    const ban = olivia.getByRole('dialog', { name: 'Ban sam from #den' });
    await ban.getByLabel('Reason').fill('spam');
    await ban.getByRole('button', { name: 'Ban' }).click();
    await ban.waitFor({ state: 'detached' });
    await said(olivia, 'You banned sam from #den permanently: spam');
    await actions(olivia, 'sam').waitFor({ state: 'detached' });
    await said(bob, 'sam left (banned by olivia: spam)');
    await expect(sam.join('#den')).rejects.toMatchObject({ errorName: 'BANNED_FROM_ROOM' });
  });
});
