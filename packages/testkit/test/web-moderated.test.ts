import { ParleyClient } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { restartableServer } from '../src/index.ts';
import { useWebTestbed, type } from './web-testbed.ts';

/**
 * The web client as the moderated person sees it, in Debian's Chromium against a real server:
 * a kick from the server ends the session for good and says why, a mute lands in its room and
 * closes the message box there, the ban dialog says what it covers and bans can be listed and
 * lifted, /me is an action. The moderators are SDK clients unless the test is about their UI.
 */
const testbed = useWebTestbed();
const { signIn, sdk } = testbed;
const PASSWORD = 'correct-horse-battery';



const said = (page: Page, text: string | RegExp) => page.getByRole('log').getByText(text).waitFor();
/** Joins a room by typing, and waits until the page shows it: what is typed next belongs there. */
async function join(page: Page, room: string): Promise<void> {
  await type(page, `/join ${room}`);
  await said(page, `This is the beginning of ${room}.`);
}
/** Opens a conversation from the sidebar, where rooms are listed without their "#". */
const open = (page: Page, room: string) => page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${room.replace(/^#/, '')}\\b`) }).first().click();

/** The testbed server's first account is its owner: registered once, by whichever test asks first. */
let ownerRegistered = false;
async function owner(): Promise<ParleyClient> {
  const client = await sdk({ kind: ownerRegistered ? 'login' : 'register', name: 'olive', password: PASSWORD });
  ownerRegistered = true;
  return client;
}

describe('web client under moderation', () => {
  it('a kick from the server sends the page back to the connect screen with who and why, and it does not reconnect', async () => {
    const op = await owner();
    const hank = await signIn('hank');
    await op.request('kick', { name: 'hank', reason: 'being rude' });
    await hank.getByText('An operator disconnected you. You were kicked by olive: being rude. Parley will not reconnect by itself').waitFor();
    await hank.getByRole('button', { name: 'Connect', exact: true }).waitFor();
    // The page is on the connect screen, not in a reconnect loop: hank is not online again.
    await expect(op.request('userinfo', { name: 'hank' })).rejects.toMatchObject({ errorName: 'NO_SUCH_USER' });
  });

  it("a mute is told in its room, not the open one, and the room's message box says so until the unmute", async () => {
    const mod = await owner();
    await mod.request('create', { room: '#den' });
    await mod.request('create', { room: '#yard' });
    const sam = await signIn('sam');
    await join(sam, '#den');
    await join(sam, '#yard');
    await said(sam, /joined|beginning of #yard/);
    await mod.request('mute', { room: '#den', name: 'sam', reason: 'calm down' });
    // #yard is open: the notice is not there, #den shows it and its composer is closed.
    await open(sam, '#den');
    await said(sam, 'olive muted you in #den: calm down');
    const box = sam.getByRole('textbox', { name: 'Message' });
    await expect.poll(() => box.isDisabled()).toBe(true);
    await sam.getByText('You are muted in #den by olive: calm down. You can read, but not send, until a moderator unmutes you.').waitFor();
    await open(sam, '#yard');
    await expect.poll(() => box.isDisabled()).toBe(false);
    expect(await sam.getByRole('log').getByText('olive muted you in #den').count()).toBe(0);
    await mod.request('unmute', { room: '#den', name: 'sam' });
    await open(sam, '#den');
    await said(sam, 'olive unmuted you in #den');
    await expect.poll(() => box.isDisabled()).toBe(false);
  });

  it('a kick from a room is told in that room with who and why', async () => {
    const mod = await owner();
    await mod.request('create', { room: '#pen' });
    const kim = await signIn('kim');
    await join(kim, '#pen');
    await said(kim, /beginning of #pen/);
    await mod.request('kick', { name: 'kim', room: '#pen', reason: 'off topic' });
    await said(kim, 'You were removed from #pen by olive: off topic');
  });

  it('the ban dialog bans the addresses by default and says what each choice covers; bans are listed and lifted', async () => {
    // The server's owner, in the browser: an operator's menu.
    await (await owner()).close();
    const op = await signIn('olive', { password: PASSWORD });
    await join(op, '#bans');
    const dave = await sdk({ kind: 'guest', name: 'dave' });
    await dave.join('#bans');
    await op.getByRole('complementary', { name: 'Members' }).getByRole('button', { name: 'Actions for dave' }).click();
    await op.getByRole('menuitem', { name: 'Ban from server' }).click();
    const dialog = op.getByRole('dialog', { name: 'Ban dave from the server' });
    const withAddresses = dialog.getByRole('radio', { name: /The name and the addresses dave is connected from/ });
    expect(await withAddresses.isChecked()).toBe(true);
    await dialog.getByText('dave can come back as a guest under another name').waitFor();
    await dialog.getByLabel('Reason').fill('spam');
    await dialog.getByRole('button', { name: 'Ban' }).click();
    await dialog.waitFor({ state: 'detached' });
    // Loopback is exempt by default (it stands for everyone on this machine): the sentence says so.
    await said(op, /^You banned dave from the server permanently: spam \(not 127\.0\.0\.1: exempt, shared by many\)$/);

    await type(op, '/listbans');
    const list = op.getByRole('dialog', { name: 'Server bans' });
    await list.getByText(/by olive on .+, permanently: spam/).waitFor();
    await list.getByRole('button', { name: 'Lift the ban of dave' }).click();
    await list.getByText('Nobody is banned from the server.').waitFor();
    await list.getByRole('button', { name: 'Close' }).click();
    await said(op, 'You lifted the name ban of dave from the server');
    await expect(sdk({ kind: 'guest', name: 'dave' })).resolves.toBeDefined();
  });

  it('/me is an action for the sender and for others', async () => {
    const amy = await signIn('amy');
    await join(amy, '#act');
    const ben = await sdk({ kind: 'guest', name: 'ben' });
    await ben.join('#act');
    const got = new Promise((resolve) => ben.on('message', resolve));
    await type(amy, '/me waves');
    await said(amy, '* amy waves');
    expect(await got).toMatchObject({ from: 'amy', text: 'waves', kind: 'action' });
    await ben.send('#act', 'nods back', { kind: 'action' });
    await said(amy, '* ben nods back');
  });
});

describe('web client across a reconnect that loses a room', () => {
  it('a room that became invite-only is marked left with the reason; the connection comes back and stays', async () => {
    // A server of its own, stopped and started again on the same ports; the testbed's browser.
    const srv = await restartableServer(testbed.cleanups);
    const owner = new ParleyClient({ url: `tcp://127.0.0.1:${srv.ports.tcp}`, transport: nodeTransport(), credentials: { kind: 'register', name: 'otto', password: PASSWORD }, backoff: { initialMs: 20, maxMs: 250 } });
    testbed.cleanups.push(() => owner.close());
    await owner.connect();
    await owner.request('create', { room: '#secret' });
    await owner.request('create', { room: '#lobby' });
    const page = await signIn('gwen', { port: srv.ports.http });
    await join(page, '#lobby');
    await join(page, '#secret');
    await said(page, /beginning of #secret/);
    await owner.request('mode', { room: '#secret', invite_only: true });

    await srv.stop();
    await page.locator('[data-state="reconnecting"]').waitFor();
    await srv.start();
    await said(page, /^You are no longer in #secret: .*invite-only.*Parley did not get back in after reconnecting\.$/i);
    await page.locator('[data-state="reconnected"]').waitFor();
    // Still connected and in #lobby: a message there goes out.
    await open(page, '#lobby');
    await type(page, 'still here');
    await expect.poll(() => page.locator('.msg.sent', { hasText: 'still here' }).count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('[data-state="reconnecting"]').count()).toBe(0);
  });
});
