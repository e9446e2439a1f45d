/**
 * Screenshots of the web client for the README: a real server (in process), a few SDK clients
 * holding a conversation, and Debian's Chromium driven by playwright-core. Run by hand after
 * `npm run build`:
 *
 *   node --import tsx scripts/screenshots.ts
 *
 * Writes docs/screenshots/web-desktop.png (1280×800), web-mobile.png (390×844) and
 * web-desktop-dark.png. Only loopback traffic: Chromium's background networking is off.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ParleyClient } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import { startTestServer, waitFor } from '@parley/testkit';
import type { Browser, Page } from 'playwright-core';
import { launchTestBrowser } from '@parley/testkit/browser';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

const server = await startTestServer({ server_name: 'acme', limits: { messages_per_minute: 60_000, message_burst: 10_000 } });
const url = `ws://127.0.0.1:${server.httpPort}/ws`;
const bots = new Map<string, ParleyClient>();

async function bot(name: string): Promise<ParleyClient> {
  const client = new ParleyClient({ url, transport: nodeTransport(), credentials: { kind: 'register', name, password: `${name}-secret-pw` } });
  await client.connect();
  bots.set(name, client);
  return client;
}

const say = async (name: string, to: string, text: string) => {
  await bots.get(name)?.send(to, text);
};

const [priya, jonas, wen, sam] = await Promise.all([bot('priya'), bot('jonas'), bot('wen'), bot('sam')]);
for (const client of [priya, jonas, wen, sam]) await client.join('#general');
for (const client of [priya, jonas, wen]) await client.join('#release');
await priya.request('topic', { room: '#general', topic: 'Team chat · be kind · standup at 09:30' });
await jonas.request('topic', { room: '#release', topic: 'v2.4 release train — freeze Thursday' });

await say('priya', '#general', 'Morning all! Standup notes are in the wiki, please add your blockers before 9:30.');
await say('jonas', '#general', 'Done. The only blocker on my side is the flaky upload test, looking at it now.');
await say('wen', '#general', 'I can pair on that after lunch if you want, I fixed a similar race in the importer last month.');
await say('jonas', '#general', 'Yes please, that would save me a day.');
await say('sam', '#general', 'Reminder: the staging database gets refreshed tonight at 22:00 UTC.\nAnything you need to keep, export it before then.');
await say('priya', '#general', 'Thanks Sam. Docs for the export tool: https://wiki.example.org/ops/export');
await say('jonas', '#release', 'Release branch is cut. Changelog draft is up for review.');
await say('wen', '#release', 'Looks good. I added the migration notes.');

let browser: Browser | undefined;
try {
  browser = await launchTestBrowser();

  const signIn = async (page: Page, name: string, register = false) => {
    await page.goto(`http://127.0.0.1:${server.httpPort}/`);
    await page.getByRole('textbox', { name: 'Name' }).fill(name);
    await page.getByLabel('Password').fill(`${name}-secret-pw`);
    if (register) await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
  };

  const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  await signIn(desktop, 'maya', true);
  await desktop.getByRole('textbox', { name: 'Message' }).fill('/join #release');
  await desktop.keyboard.press('Enter');
  await desktop.getByRole('heading', { name: '#release' }).waitFor();
  await desktop.getByRole('button', { name: 'general' }).click();
  await waitFor(async () => (await desktop.getByRole('log').getByText('standup').count()) > 0, 'history in #general');

  await say('wen', '#general', 'Welcome to the team, Maya!');
  await desktop.getByRole('textbox', { name: 'Message' }).fill('Thanks! Happy to be here. Where do I find the onboarding checklist?');
  await desktop.keyboard.press('Enter');
  await say('priya', '#general', 'Pinned in #release for now, I will move it to the wiki today.');
  await say('jonas', '#release', 'Maya, you are on the rota for Thursday with me.');
  await say('sam', 'maya', 'Hi Maya, I set up your staging account, the credentials are in your inbox.');
  await say('jonas', '#release', 'Ping me if anything is unclear.');
  await wen.request('presence', { status: 'away' });
  await waitFor(async () => (await desktop.getByText('Ping me').count()) === 0 && (await desktop.getByRole('button', { name: /sam/ }).count()) > 0, 'the DM from sam');
  await waitFor(async () => (await desktop.locator('[data-status="away"]').count()) > 0, 'wen shown away');
  await desktop.mouse.move(0, 0);
  mkdirSync(OUT, { recursive: true });
  await desktop.screenshot({ path: `${OUT}web-desktop.png` });

  const dark = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
  await signIn(dark, 'maya');
  await waitFor(async () => (await dark.getByRole('log').getByText('Welcome to the team').count()) > 0, 'history in dark mode');
  await dark.screenshot({ path: `${OUT}web-desktop-dark.png` });
  await dark.close();

  const mobile = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: 'light' });
  await signIn(mobile, 'maya');
  await waitFor(async () => (await mobile.getByRole('log').getByText('Welcome to the team').count()) > 0, 'history on mobile');
  await say('jonas', '#release', 'Maya: the rota is in the pinned message.');
  await mobile.getByRole('button', { name: /unread/ }).waitFor();
  await mobile.screenshot({ path: `${OUT}web-mobile.png` });
  await mobile.getByRole('button', { name: 'Conversations' }).click();
  await mobile.waitForTimeout(400); // the drawer's slide-in transition, for the picture only
  await mobile.screenshot({ path: `${OUT}web-mobile-menu.png` });
  console.log(`screenshots written to ${OUT}`);
} finally {
  await browser?.close();
  for (const client of bots.values()) await client.close();
  await server.stop({ removeData: true });
}
