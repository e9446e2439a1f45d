import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useWebTestbed, type } from './web-testbed.ts';

/**
 * The sidebar's direct conversations in Debian's Chromium against a real server: they follow
 * the account to a second browser, a DM with a guest who left keeps its history, closed ones
 * stay closed until a newer message, and a /msg to nobody leaves nothing behind. Also the typed
 * /history, /whois, /kick and /ban.
 */
const testbed = useWebTestbed();
const { signIn } = testbed;
const PASSWORD = 'correct-horse';

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });
const directMessages = (page: Page) => sidebar(page).getByRole('region', { name: 'Direct messages' });
/** A DM's entry in the sidebar, with or without its unread badge. */
const entry = (page: Page, name: string) => directMessages(page).getByRole('button', { name: new RegExp(`^${name}(\\s*\\d+ unread)?$`) });
const UNREADABLE = 'This message cannot be read on this device (sent before it was set up, or not encrypted for it).';
const texts = (page: Page) => page.getByRole('log').locator('.msg-text').allTextContents();


/** A reload of the page, and the sign-in a person does again (the password is never stored). */
async function reloadAndSignIn(page: Page, name: string): Promise<void> {
  await page.reload();
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
}

describe('web client: direct conversations in the sidebar', () => {
  it("a second browser of the same account lists the account's DMs; their encrypted history is for the devices that were there", async () => {
    const alice = await signIn('alice', { password: PASSWORD, register: true });
    const bob = await signIn('bob', { password: PASSWORD, register: true });
    await type(alice, '/msg bob hello from the desk');
    await entry(bob, 'bob').or(entry(bob, 'alice')).first().waitFor();
    await entry(bob, 'alice').click();
    await type(bob, 'hi alice');
    await alice.getByRole('log').getByText('hi alice').waitFor();

    const laptop = await signIn('alice', { password: PASSWORD });
    await entry(laptop, 'bob').click();
    // End to end: the messages were encrypted for the devices in the conversation then, not for this one.
    await expect.poll(() => texts(laptop)).toEqual([UNREADABLE, UNREADABLE]);
    // Talking on from here takes the identity key of the first browser (web-e2e-identity.test.ts).
    await laptop.getByText('Encryption is not set up in this browser yet: your identity key is on another device.').waitFor();
  });

  it('a DM with a guest who left stays listed, and sending there says why it cannot go', async () => {
    const carol = await signIn('carol', { password: PASSWORD, register: true });
    const dave = await signIn('dave');
    await type(dave, '/msg carol hello, I am only passing through');
    await entry(carol, 'dave').click();
    await type(carol, 'welcome dave');
    await dave.getByRole('log').getByText('welcome dave').waitFor();
    await dave.context().close();

    // Another browser of carol's, after dave is gone: the name is nobody now, the conversation is hers.
    const laptop = await signIn('carol', { password: PASSWORD });
    await entry(laptop, 'dave').click();
    await expect.poll(() => texts(laptop)).toEqual([UNREADABLE, UNREADABLE]);
    // Sending there says why it cannot go (from the browser that has carol's keys).
    await type(carol, 'bye then');
    // By name (the directory has no dave now) or by conversation id (the server knows he left).
    await carol.getByText(/dave has left; guests cannot get messages while offline|No user named dave/).waitFor();
  });

  it('closes a DM with its button or /close; a reload keeps it closed, a newer message brings it back', async () => {
    const erin = await signIn('erin', { password: PASSWORD, register: true });
    const frank = await signIn('frank', { password: PASSWORD, register: true });
    const gina = await signIn('gina', { password: PASSWORD, register: true });
    await type(frank, '/msg erin first from frank');
    await type(gina, '/msg erin first from gina');
    await entry(erin, 'frank').waitFor();
    await entry(erin, 'gina').waitFor();

    await directMessages(erin).getByRole('button', { name: 'Close conversation with frank' }).click();
    await entry(erin, 'frank').waitFor({ state: 'detached' });
    await entry(erin, 'gina').click();
    await type(erin, '/close');
    await entry(erin, 'gina').waitFor({ state: 'detached' });

    await reloadAndSignIn(erin, 'erin');
    // The list of conversations has arrived once a DM nobody closed is there.
    await type(frank, '/msg erin are you there?');
    await entry(erin, 'frank').waitFor();
    await expect.poll(() => entry(erin, 'gina').count()).toBe(0);
    await entry(erin, 'frank').click();
    await expect.poll(() => texts(erin)).toEqual(['first from frank', 'are you there?']);

    await type(gina, 'me again');
    await entry(erin, 'gina').click();
    await expect.poll(() => texts(erin)).toEqual(['first from gina', 'me again']);
  });

  it('a /msg to a name nobody has leaves no entry, and the error shows where you were', async () => {
    const hal = await signIn('hal');
    await type(hal, '/msg nobodyhere hello?');
    await hal.getByRole('log', { name: 'Messages in #general' }).getByText('Not sent to nobodyhere: Nobody has that name. No user named nobodyhere.').waitFor();
    expect(await entry(hal, 'nobodyhere').count()).toBe(0);
    expect(await directMessages(hal).getByRole('button').filter({ hasText: 'nobodyhere' }).count()).toBe(0);
  });
});

describe('web client: typed commands', () => {
  it('/history pages the open conversation back, or says there is nothing earlier', async () => {
    const ivy = await signIn('ivy', { password: PASSWORD, register: true });
    await type(ivy, '/join #archive');
    await ivy.getByRole('log', { name: 'Messages in #archive' }).waitFor();
    const { store } = testbed.server.server.context;
    const start = Date.now() - 60_000;
    await store.appendMessages(Array.from({ length: 300 }, (_, i) => ({ conv: '#archive', senderId: 'a1', senderName: 'ivy', target: '#archive', text: `old ${i + 1}`, createdAt: start + i })));

    await reloadAndSignIn(ivy, 'ivy');
    await sidebar(ivy).getByRole('button', { name: 'archive' }).click();
    const log = ivy.getByRole('log', { name: 'Messages in #archive' });
    await log.getByText('old 300').waitFor();
    // Scrolling up may have loaded a page or two already; /history goes on from the oldest shown.
    await log.getByRole('button', { name: 'Load earlier messages' }).and(ivy.locator(':enabled')).waitFor();
    const oldest = Number((await log.locator('.msg-text').first().textContent())?.replace('old ', ''));
    expect(oldest).toBeGreaterThan(5);
    await type(ivy, '/history 5');
    await log.getByText('Loaded 5 earlier messages (above)').waitFor();
    await log.getByText(`old ${oldest - 5}`, { exact: true }).waitFor();

    // A conversation whose beginning is shown says so.
    await type(ivy, '/msg ivy a note to myself');
    const notes = ivy.getByRole('log', { name: 'Messages in ivy' });
    await notes.getByText('a note to myself').waitFor();
    await type(ivy, '/history');
    await notes.getByText('No earlier messages: this is the beginning of your conversation with ivy.').waitFor();
  });

  it('/whois opens the user info dialog; /kick and /ban say what they did', async () => {
    const jo = await signIn('jo', { password: PASSWORD, register: true });
    const kim = await signIn('kim');
    const lee = await signIn('lee');
    await type(jo, '/whois kim');
    const info = jo.getByRole('dialog', { name: 'User info for kim' });
    await info.getByText('Guest (no account)').waitFor();
    await info.getByRole('button', { name: 'Close' }).click();
    await info.waitFor({ state: 'detached' });
    await type(jo, '/whois nobodyhere');
    await jo.getByRole('dialog', { name: 'User info for nobodyhere' }).getByText(/^Nobody has that name\./).waitFor();
    await jo.keyboard.press('Escape');

    await type(jo, `/oper ${testbed.server.operPassword()}`);
    await jo.getByText(/You are now an operator on this connection/).waitFor();
    await type(jo, '/kick #general kim off topic');
    await jo.getByText('You kicked kim from #general: off topic').waitFor();
    await kim.getByText('You were removed from #general by jo: off topic').waitFor();
    await type(jo, '/ban name:lee 1h spam');
    await jo.getByText(/^You banned lee from the server until .+: spam$/).waitFor();
    await lee.getByRole('button', { name: 'Connect', exact: true }).waitFor();
  });
});
