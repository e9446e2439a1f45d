import type { ChatMessage, ServerEvent } from '@parley/protocol';
import type { ParleyClient } from '@parley/client';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../src/browser.ts';
import { useWebTestbed, type } from './web-testbed.ts';
import { log, message, sidebar } from './web-e2e-locators.ts';

/**
 * Edits, deletions, reactions, replies, typing and read state in the web client (docs/web.md,
 * "Editing and deleting" onwards), in Debian's Chromium against a real server: the other person
 * is an SDK client, so what the page sends is checked on the wire, and two pages of one account
 * share their read position.
 */
const testbed = useWebTestbed({ limits: { messages_per_minute: 60_000, message_burst: 10_000 } });
const { signIn, sdk } = testbed;
const PASSWORD = 'correct horse battery';

/** The next `message` event of `client` that matches. */
function nextMessage(client: ParleyClient, match: (m: ChatMessage) => boolean): Promise<ChatMessage> {
  return new Promise((resolve) => {
    const off = client.on('message', (m) => {
      if (match(m)) {
        off();
        resolve(m);
      }
    });
  });
}

function nextTyping(client: ParleyClient, on: boolean): Promise<Extract<ServerEvent, { ev: 'typing' }>> {
  return new Promise((resolve) => {
    const off = client.on('typing', (event) => {
      if (event.on === on) {
        off();
        resolve({ ev: 'typing', ...event });
      }
    });
  });
}

async function joinRoom(page: Page, room: string): Promise<void> {
  await type(page, `/join ${room}`);
  await log(page).getByText(`This is the beginning of ${room}.`).waitFor();
}

/** Shows a message's actions (they appear on hover and on keyboard focus) and clicks one. */
async function act(page: Page, text: string, action: string): Promise<void> {
  const msg = message(page, text).last();
  await msg.hover();
  await msg.getByRole('button', { name: action, exact: true }).click();
}

describe('web client: message actions', () => {
  it('edits, reacts, replies and deletes; what the page sends reaches the other person', async () => {
    const page = await signIn('alice', { bypassCSP: true });
    await joinRoom(page, '#acts');
    const bob = await sdk({ kind: 'guest', name: 'bob' });
    await bob.join('#acts');

    await type(page, 'first draft');
    await message(page, 'first draft').locator('.msg-text').waitFor();
    const draft = message(page, 'first draft');
    await draft.and(page.locator('[data-seq]:not([data-seq=""])')).waitFor();

    // Edit: Enter saves; bob's client gets the edit.
    const edited = nextMessage(bob, (m) => m.kind === 'edit');
    await act(page, 'first draft', 'Edit');
    const editor = page.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('second version');
    await editor.press('Enter');
    await message(page, 'second version').getByText('(edited)').waitFor();
    expect((await edited).text).toBe('second version');

    // Up arrow in the empty box edits the last message; Esc cancels.
    await page.getByRole('textbox', { name: 'Message' }).press('ArrowUp');
    await editor.waitFor();
    await editor.press('Escape');
    await editor.waitFor({ state: 'detached' });

    // Reactions: the picker, bob's reaction live, a click takes ours back.
    const reacted = nextMessage(bob, (m) => m.kind === 'react');
    await act(page, 'second version', 'Add reaction');
    await page.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: '👍' }).click();
    const mine = message(page, 'second version').locator('.reaction', { hasText: '👍' });
    await expect.poll(() => mine.getAttribute('aria-pressed')).toBe('true');
    const seq = (await reacted).ref ?? 0;
    await bob.react('#acts', seq, '🎉');
    await message(page, 'second version').getByRole('button', { name: '🎉 1: bob' }).waitFor();
    await mine.click();
    await mine.waitFor({ state: 'detached' });

    // Replies: the bar, the reply's seq on the wire, the quote, and the jump to the original.
    await bob.send('#acts', 'a question?\nsecond line');
    await message(page, 'a question?').waitFor();
    await act(page, 'a question?', 'Reply');
    await page.getByText('Replying to bob: a question?').waitFor();
    const replied = nextMessage(bob, (m) => m.text === 'the answer');
    await type(page, 'the answer');
    const reply = await replied;
    expect(reply.reply).toBeGreaterThan(0);
    expect(await page.getByText('Replying to bob').count()).toBe(0);
    const quote = message(page, 'the answer').getByRole('button', { name: /^Reply to bob: a question\?\. Show the original$/ });
    await quote.click();
    await log(page).locator(`.msg.highlight[data-seq="${reply.reply}"]`).waitFor();

    // Delete, confirmed: a tombstone here, a redaction for bob.
    const redacted = nextMessage(bob, (m) => m.kind === 'redact');
    await act(page, 'second version', 'Delete');
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await log(page).locator(`.msg[data-seq="${seq}"]`).getByText('message deleted').waitFor();
    expect((await redacted).ref).toBe(seq);

    expect(await axeViolations(page)).toEqual([]);
  });

  it('offers no Edit on someone else’s message, and shows the server’s refusal', async () => {
    const owner = await sdk({ kind: 'guest', name: 'olga' });
    await owner.join('#others');
    await owner.send('#others', 'not yours');
    const page = await signIn('pete');
    await joinRoom(page, '#others');
    const theirs = message(page, 'not yours');
    await theirs.hover();
    await theirs.getByRole('button', { name: 'Reply', exact: true }).waitFor();
    expect(await theirs.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(0);
    // Not a moderator of #others: no Delete either.
    expect(await theirs.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);

    // A reaction that is not one emoji: the server says no, and the page says why.
    await act(page, 'not yours', 'Add reaction');
    await page.getByRole('textbox', { name: 'Other emoji' }).fill('not an emoji');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await log(page).locator('.notice.error', { hasText: 'A reaction is one emoji' }).waitFor();
  });

  it('shows who is typing, and tells the other person while the box has text', async () => {
    const page = await signIn('tess');
    await joinRoom(page, '#typing');
    const uma = await sdk({ kind: 'guest', name: 'uma' });
    await uma.join('#typing');

    await uma.typing('#typing');
    await page.getByText('uma is typing…').waitFor();
    await uma.typing('#typing', false);
    await page.getByText('uma is typing…').waitFor({ state: 'detached' });

    const started = nextTyping(uma, true);
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.pressSequentially('hel');
    expect((await started).user).toBe('tess');
    const stopped = nextTyping(uma, false);
    await box.fill('');
    expect((await stopped).user).toBe('tess');
  });

  it('notifies, once allowed, of DMs and mentions; a conversation set to none stays quiet', async () => {
    const page = await signIn('nina');
    await joinRoom(page, '#quiet');
    await joinRoom(page, '#busy');
    const otto = await sdk({ kind: 'guest', name: 'otto' });
    await otto.join('#quiet');
    // Nothing is asked for on its own: the button is there, and only a click asks the browser.
    await sidebar(page).getByRole('button', { name: 'Enable notifications' }).waitFor();
    await page.evaluate(() => {
      const shown: string[] = [];
      (window as unknown as { shown: string[] }).shown = shown;
      class FakeNotification {
        static permission = 'default';
        static requestPermission(): Promise<string> {
          FakeNotification.permission = 'granted';
          return Promise.resolve('granted');
        }
        constructor(title: string, options: { body: string }) {
          shown.push(`${title}: ${options.body}`);
        }
      }
      (window as unknown as { Notification: unknown }).Notification = FakeNotification;
    });
    await sidebar(page).getByRole('button', { name: 'Enable notifications' }).click();
    await page.getByRole('combobox', { name: 'Notifications for this conversation' }).waitFor();
    const shown = () => page.evaluate(() => (window as unknown as { shown: string[] }).shown);

    await otto.send('#quiet', 'no mention here');
    await otto.send('#quiet', 'hey @nina look');
    await otto.send('nina', 'a direct one');
    await expect.poll(shown).toEqual(['otto in #quiet: hey @nina look', 'otto: a direct one']);
    await expect.poll(() => message(page, 'hey @nina').count()).toBe(0); // #busy is open
    await sidebar(page).getByRole('button', { name: /^quiet/ }).click();
    await message(page, 'hey @nina look').and(page.locator('.mention')).waitFor();
    await page.getByRole('combobox', { name: 'Notifications for this conversation' }).selectOption('none');
    await sidebar(page).getByRole('button', { name: /^busy/ }).click();
    await otto.send('#quiet', 'again @nina');
    await otto.send('nina', 'second direct');
    await expect.poll(shown).toEqual(['otto in #quiet: hey @nina look', 'otto: a direct one', 'otto: second direct']);
  });

  it('keeps the read position across two pages of one account: the badge clears, the divider follows', async () => {
    const laptop = await signIn('carol', { password: PASSWORD, register: true });
    await joinRoom(laptop, '#reads');
    await joinRoom(laptop, '#other');
    const phone = await signIn('carol', { password: PASSWORD });
    // Both have #other open.
    await sidebar(phone).getByRole('button', { name: 'other', exact: true }).click();
    await phone.getByRole('heading', { name: '#other' }).waitFor();
    const dave = await sdk({ kind: 'guest', name: 'dave' });
    await dave.join('#reads');

    await dave.send('#reads', 'ping');
    const badge = (page: Page, name: string) => sidebar(page).getByRole('button', { name, exact: true });
    await badge(laptop, 'reads 1 unread').waitFor();
    await badge(phone, 'reads 1 unread').waitFor();
    expect(await phone.title()).toMatch(/^\(1\) /);

    await badge(laptop, 'reads 1 unread').click();
    await message(laptop, 'ping').waitFor();
    // The laptop read it: the phone's badge goes.
    await badge(phone, 'reads').waitFor();

    // Neither page has #reads open when the next one comes: nobody reads it.
    await sidebar(laptop).getByRole('button', { name: 'other', exact: true }).click();
    await laptop.getByRole('heading', { name: '#other' }).waitFor();
    await dave.send('#reads', 'pong');
    await badge(phone, 'reads 1 unread').click();
    await message(phone, 'pong').waitFor();
    const divider = log(phone).getByRole('separator').filter({ hasText: 'New messages' });
    await divider.waitFor();
    // The divider sits between what was read and what was not.
    const order = await log(phone).locator('.msg, .new-divider').evaluateAll((els) => els.map((el) => (el.classList.contains('new-divider') ? 'divider' : (el.textContent ?? '').includes('pong') ? 'pong' : 'other')));
    expect(order.slice(-2)).toEqual(['divider', 'pong']);
  });
});
