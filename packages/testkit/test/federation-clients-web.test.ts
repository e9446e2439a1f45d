import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, launchTestBrowser, signInToWebClient } from '../src/browser.ts';
import { waitFor } from '../src/index.ts';
import { FederationTestbed } from './federation-kit.ts';
import { homeAndMirror } from './home-and-mirror.ts';
import { signInOnPage, type } from './web-testbed.ts';

/**
 * The web client in a room homed on another server (docs/web.md, "Rooms on other servers"): a
 * real Chromium signed in on b.test joins `#dev@a.test`, sees a.test's people with their server
 * drawn secondary, writes to one of them (unencrypted by choice: end-to-end encryption does not
 * cross servers yet) and reads the answer, and a message sent while a.test is killed says it
 * waits for a.test until a.test is back and has taken it; then it is shown once, as sent. axe
 * finds nothing on that screen.
 */
const bed = new FederationTestbed();
const problems: string[] = [];
const contexts: BrowserContext[] = [];
let browser: Browser | undefined;

beforeAll(async () => {
  browser = await launchTestBrowser();
});
afterAll(() => browser?.close());
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  await bed.cleanup();
  expect(problems.splice(0)).toEqual([]);
});

const ROOM = '#dev@a.test';
const COMMIT_BUDGET_MS = 60_000;

const password = (name: string) => `${name}-password-123`;

/** An account: a guest's membership of a room homed elsewhere ends with its page (docs/federation.md). */
async function open(port: number, name: string): Promise<Page> {
  const { page, context } = await signInToWebClient(browser!, { port, name, password: password(name), register: true, problems, bypassCSP: true });
  contexts.push(context);
  return page;
}

describe('web client: a room homed on another server', () => {
  it('joins #dev@a.test, shows remote names with their server, and marks a send pending while the home is down', async () => {
    const pair = await homeAndMirror(bed);
    const alice = await bed.user(pair.home, 'alice');
    await alice.ok('join', { room: '#dev' });
    const page = await open(pair.mirror.httpPort, 'bob');

    await type(page, `/join ${ROOM}`);
    await page.getByRole('heading', { name: ROOM, level: 1 }).waitFor();
    const entry = page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'dev@a.test' });
    await entry.waitFor();
    expect(await entry.locator('.fed-server').textContent()).toBe('@a.test');
    expect(await page.locator('.topbar h1 .fed-server').textContent()).toBe('@a.test');
    await alice.event((e) => e.ev === 'join' && e.user === 'bob@b.test', 15_000);

    // a.test's people: in the log and, once they join, in the member list, as name@server.
    const log = page.getByRole('log');
    await alice.ok('send', { to: '#dev', text: 'hello from a' });
    const fromAlice = log.locator('.msg', { hasText: 'hello from a' });
    await fromAlice.waitFor();
    expect(await fromAlice.locator('.msg-from').textContent()).toBe('alice@a.test');
    expect(await fromAlice.locator('.msg-from .fed-server').textContent()).toBe('@a.test');
    const carol = await bed.user(pair.home, 'carol');
    await carol.ok('join', { room: '#dev' });
    const members = page.getByRole('complementary', { name: 'Members' });
    const carolRow = members.locator('li', { hasText: 'carol@a.test' });
    await carolRow.waitFor();
    expect(await carolRow.locator('.member-name .fed-server').textContent()).toBe('@a.test');

    await type(page, 'hello from b');
    await log.locator('.msg.sent', { hasText: 'hello from b' }).waitFor();
    await alice.event((e) => e.ev === 'message' && e.text === 'hello from b' && e.from === 'bob@b.test', 15_000);
    expect(await axeViolations(page)).toEqual([]);

    // A DM to someone of another server whose client has no keys (carol speaks raw frames): as
    // with anyone without keys, the page holds the message and says why until bob chooses to
    // send it unencrypted. (People of other servers with keys get encrypted DMs:
    // federation-e2e-direct.test.ts.)
    await carolRow.getByRole('button', { name: /^carol@a\.test/ }).click();
    await page.getByRole('heading', { name: 'carol@a.test', level: 1 }).waitFor();
    await type(page, 'psst');
    await page.getByText('carol@a.test has no encryption keys, so this message would not be end-to-end encrypted', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Send unencrypted' }).click();
    await log.locator('.msg.sent', { hasText: 'psst' }).waitFor();
    await carol.event((e) => e.ev === 'message' && e.text === 'psst' && e.from === 'bob@b.test', 15_000);
    await carol.ok('send', { to: 'bob@b.test', text: 'hi bob' }, 15_000);
    const reply = log.locator('.msg', { hasText: 'hi bob' });
    await reply.waitFor();
    expect(await reply.locator('.msg-from').textContent()).toBe('carol@a.test');
    await entry.click();
    await page.getByRole('heading', { name: ROOM, level: 1 }).waitFor();

    await pair.killHome();
    await type(page, 'while a is down');
    const waiting = log.locator('.msg.waiting', { hasText: 'while a is down' });
    await waiting.waitFor();
    expect(await waiting.locator('.msg-status').textContent()).toBe('Waiting for a.test…');
    expect(await waiting.getAttribute('data-seq')).toBeNull();
    expect(await axeViolations(page)).toEqual([]);

    await pair.restartHome();
    const sent = log.locator('.msg.sent', { hasText: 'while a is down' });
    await sent.waitFor({ timeout: COMMIT_BUDGET_MS });
    await waiting.waitFor({ state: 'detached' });
    expect(await log.locator('.msg', { hasText: 'while a is down' }).count()).toBe(1);
    const fromB = Number(await log.locator('.msg', { hasText: 'hello from b' }).getAttribute('data-seq'));
    expect(Number(await sent.getAttribute('data-seq'))).toBe(fromB + 1);
    // A reload reads the room's history: the message is there once, in its place.
    await page.reload();
    await signInOnPage(page, 'bob', password('bob'));
    await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'dev@a.test' }).click();
    await page.getByRole('heading', { name: ROOM, level: 1 }).waitFor();
    await waitFor(async () => (await page.getByRole('log').locator('.msg', { hasText: 'while a is down' }).count()) === 1, 'the message once after a reload', 20_000);
  }, 120_000);
});
