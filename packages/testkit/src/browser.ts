import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

/**
 * Chromium must not reach the internet (this machine allows loopback only): no background
 * networking, component updates or sync. Debian's Chromium; no browser is ever downloaded.
 */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches Debian's Chromium for browser tests, building the web client first if a checkout skipped `npm install`'s build. */
export async function launchTestBrowser(): Promise<Browser> {
  if (!existsSync(join(WEB_DIR, 'dist', 'index.html'))) execFileSync('npm', ['run', 'build'], { cwd: WEB_DIR, stdio: 'ignore' });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface WebSignIn {
  /** The server's HTTP port (the web client is served at `/`). */
  port: number;
  /** Over HTTPS, accepting the server's self-signed certificate (as a person would after the warning). */
  https?: boolean;
  name: string;
  password?: string;
  register?: boolean;
  /** Ticks "Stay signed in on this device" (accounts). */
  stay?: boolean;
  viewport?: { width: number; height: number };
  /** Page errors and console errors are appended here; a test asserts it stays empty. */
  problems: string[];
}

/**
 * Signs in through the connect screen as a person would, in a browser context of its own, and
 * waits for the message box. Failed WebSocket connects are expected while a test restarts the
 * server, so they are not counted as problems. The caller closes the context.
 */
export async function signInToWebClient(browser: Browser, options: WebSignIn): Promise<{ page: Page; context: BrowserContext }> {
  const { name, problems } = options;
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1100, height: 760 }, ignoreHTTPSErrors: options.https === true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/WebSocket connection .* failed|ERR_CONNECTION_REFUSED/.test(message.text())) problems.push(`${name}: ${message.text()}`);
  });
  await page.goto(`${options.https ? 'https' : 'http'}://127.0.0.1:${options.port}/`);
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  if (options.password) await page.getByLabel('Password').fill(options.password);
  if (options.register) await page.getByRole('checkbox', { name: /Register/ }).check();
  if (options.stay) await page.getByRole('checkbox', { name: 'Stay signed in on this device' }).check();
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
  return { page, context };
}
