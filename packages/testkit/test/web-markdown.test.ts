import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../src/browser.ts';
import { TextClient } from '../src/index.ts';
import { e2eReady, useWebTestbed, type } from './web-testbed.ts';
import { entry, log, message } from './web-e2e-locators.ts';

/**
 * Message formatting in the web client (docs/web.md, "Formatting"), in Debian's Chromium against
 * a real server: what an SDK client and a text-mode client send is drawn as elements, links open
 * safely, and what looks like HTML or an unsafe link is shown as the text it is, with no element
 * made and no dialog opened. The text-mode client reads the same messages as their source.
 */
const testbed = useWebTestbed({ limits: { messages_per_minute: 60_000, message_burst: 10_000 } });
const { signIn, sdk } = testbed;

/** The text of the newest message whose text contains `needle`. */
const newest = (page: Page, needle: string): Locator => log(page).locator('.msg-text', { hasText: needle }).last();

async function joinRoom(page: Page, room: string): Promise<void> {
  await type(page, `/join ${room}`);
  await log(page).getByText(`This is the beginning of ${room}.`).waitFor();
}

const MALICIOUS = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '[x](javascript:alert(1))',
  '[x](data:text/html,<script>alert(1)</script>)',
  '<a href="javascript:alert(1)">click</a>',
  '[x](vbscript:msgbox(1))',
  '```\n<script>alert(1)</script>\n```',
];

describe('web client: formatted messages', () => {
  it('draws each construct from an SDK client as elements; the text-mode client reads the source', async () => {
    const writer = await sdk({ kind: 'guest', name: 'writer' });
    await writer.join('#fmt');
    const page = await signIn('reader', { bypassCSP: true });
    await joinRoom(page, '#fmt');
    const raw = await TextClient.connect({ port: testbed.server.tcpPort });
    testbed.cleanups.push(() => raw.close());
    expect(await raw.command('REGISTER plain')).toMatch(/^OK welcome plain/);
    await raw.command('JOIN #fmt');

    await writer.send('#fmt', '**bold** *italic* _also_ ~~gone~~ `a *b* <i>`');
    const inline = newest(page, 'bold');
    await inline.waitFor();
    expect(await inline.locator('strong').allTextContents()).toEqual(['bold']);
    expect(await inline.locator('em').allTextContents()).toEqual(['italic', 'also']);
    expect(await inline.locator('s').allTextContents()).toEqual(['gone']);
    expect(await inline.locator('code').allTextContents()).toEqual(['a *b* <i>']);
    expect(await inline.locator('i').count()).toBe(0);
    // Text mode is untouched: the line protocol carries what was typed.
    expect(await raw.expect('MSG writer #fmt **bold**')).toBe('MSG writer #fmt **bold** *italic* _also_ ~~gone~~ `a *b* <i>`');

    await writer.send('#fmt', 'snake_case_names and 2*3*4 stay');
    const plain = newest(page, 'snake_case_names');
    await plain.waitFor();
    expect(await plain.textContent()).toBe('snake_case_names and 2*3*4 stay');
    expect(await plain.locator('em, strong').count()).toBe(0);

    await writer.send('#fmt', 'code:\n```ts\nconst a = **1** < 2;\n```\n> quoted **line**\n> second\nafter');
    const blocks = newest(page, 'quoted');
    await blocks.waitFor();
    expect(await blocks.locator('pre > code').textContent()).toBe('const a = **1** < 2;');
    expect(await blocks.locator('pre > code').getAttribute('data-lang')).toBe('ts');
    expect(await blocks.locator('blockquote').textContent()).toBe('quoted line\nsecond');
    expect(await blocks.locator('blockquote strong').textContent()).toBe('line');
    expect(await blocks.locator('p').allTextContents()).toEqual(['code:', 'quoted line\nsecond', 'after']);

    await writer.send('#fmt', 'read [the docs](https://example.com/docs_(v2)) or https://example.org/x.');
    const links = newest(page, 'the docs');
    await links.waitFor();
    const anchors = await links.locator('a').evaluateAll((as: HTMLAnchorElement[]) => as.map((a) => ({ text: a.textContent, href: a.getAttribute('href'), title: a.title, target: a.target, rel: a.rel })));
    const safe = { target: '_blank', rel: 'noopener noreferrer nofollow' };
    expect(anchors).toEqual([
      { text: 'the docs', href: 'https://example.com/docs_(v2)', title: 'https://example.com/docs_(v2)', ...safe },
      { text: 'https://example.org/x', href: 'https://example.org/x', title: 'https://example.org/x', ...safe },
    ]);

    await writer.send('#fmt', 'waves **hard**', { kind: 'action' });
    const action = log(page).locator('.msg-text.action', { hasText: 'waves' });
    await action.waitFor();
    expect(await action.textContent()).toBe('* writer waves hard');
    expect(await action.locator('strong').textContent()).toBe('hard');

    // From the text-mode client: formatted on the page all the same.
    await raw.command('SAY #fmt from **text** mode');
    const fromRaw = newest(page, 'mode');
    await fromRaw.waitFor();
    expect(await fromRaw.locator('strong').textContent()).toBe('text');

    // Code, quotes and links keep their contrast and names in both palettes (axe-core, WCAG 2.2 AA).
    expect(await axeViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shows HTML and unsafe links as literal text: no element, no script, no dialog', async () => {
    const writer = await sdk({ kind: 'guest', name: 'mallory' });
    await writer.join('#trap');
    const page = await signIn('target');
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await joinRoom(page, '#trap');
    for (const text of MALICIOUS) await writer.send('#trap', text);
    await writer.send('#trap', 'the end');
    await newest(page, 'the end').waitFor();

    const texts = await log(page).locator('.msg-text').allTextContents();
    expect(texts).toEqual([...MALICIOUS.slice(0, -1), '<script>alert(1)</script>', 'the end']);
    const made = await log(page).evaluate((el) => ({
      img: el.querySelectorAll('img').length,
      script: el.querySelectorAll('script').length,
      links: [...el.querySelectorAll('a')].map((a) => a.getAttribute('href')),
      handlers: [...el.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
    }));
    expect(made).toEqual({ img: 0, script: 0, links: [], handlers: 0 });
    // Clicking where a link would have been does nothing either.
    await newest(page, '[x](javascript:').click();
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    // The listener does hear a dialog: the silence above means something.
    await page.evaluate(() => alert('control'));
    expect(dialogs).toEqual(['control']);
  });

  it('formats decrypted messages of an end-to-end encrypted DM the same way', async () => {
    const password = 'correct-horse-markdown';
    const alice = await signIn('amy', { password, register: true });
    const bob = await signIn('ben', { password, register: true });
    await e2eReady(alice);
    await e2eReady(bob);
    await type(alice, '/msg ben a **secret** with `code`');
    await entry(bob, 'amy').click();
    const received = message(bob, 'secret');
    await received.waitFor();
    expect(await received.getAttribute('data-encrypted')).toBe('true');
    expect(await received.locator('.msg-text strong').textContent()).toBe('secret');
    expect(await received.locator('.msg-text code').textContent()).toBe('code');
  });
});
