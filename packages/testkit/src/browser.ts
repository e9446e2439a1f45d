import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  /** The browser's language (`navigator.languages`), which picks the client's; English unless a test asks. */
  locale?: string;
  colorScheme?: 'light' | 'dark';
  /** For axeViolations, which injects axe-core as an inline script. */
  bypassCSP?: boolean;
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
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1100, height: 760 },
    ignoreHTTPSErrors: options.https === true,
    locale: options.locale ?? 'en-US',
    colorScheme: options.colorScheme ?? 'light',
    bypassCSP: options.bypassCSP === true,
  });
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

/** axe-core's rule tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe names 2.0 as "wcag2"). */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core in the page against WCAG 2.2 A and AA and returns what it found, made short
 * enough to read in a failed expectation. The page's context must be made with `bypassCSP`
 * (the injected script is inline, which the client's CSP refuses, as it should).
 */
export async function axeViolations(page: Page): Promise<{ rule: string; impact: string | null; help: string; nodes: string[] }[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations;
  }, WCAG_TAGS);
  return violations.map((v) => ({ rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`) }));
}
