import { ParleyClient, type Credentials } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { launchTestBrowser, signInToWebClient, type WebSignIn } from '../src/browser.ts';
import { startTestServer, type TestServer } from '../src/index.ts';

export interface WebTestbed {
  readonly browser: Browser;
  /** A fresh data dir for the file: the first account registered becomes the server's owner. */
  readonly server: TestServer;
  /** Run after each test, last added first. */
  readonly cleanups: (() => unknown)[];
  /**
   * Signs in through the connect screen (English, light, desktop-sized unless `options` say
   * otherwise), to the testbed's server or to the one on `options.port`.
   */
  signIn(name: string, options?: Partial<Pick<WebSignIn, 'port' | 'password' | 'register' | 'stay' | 'viewport' | 'locale' | 'colorScheme' | 'bypassCSP'>>): Promise<Page>;
  /** Someone on the other end as an SDK client over plain TCP (so error names can be checked exactly), closed after the test. */
  sdk(credentials: Credentials): Promise<ParleyClient>;
}

/** Types a line into the message box and presses Enter, as a person sends it. */
export async function type(page: Page, text: string): Promise<void> {
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill(text);
  await input.press('Enter');
}

/** Waits until the page's end-to-end encryption is set up: its device registered, with key packages (the layout's `data-e2e`, from packages/web's e2e-tracker.ts). */
export async function e2eReady(page: Page): Promise<void> {
  await page.locator('.layout[data-e2e="ready"]').waitFor();
}

/** Signs in on the connect screen a page shows already (after a reload, or in another tab of the same browser). */
export async function signInOnPage(page: Page, name: string, password: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
}

/** A DM's safety number as its header's panel shows it: the 12 groups of 5 digits (the panel stays open). */
export async function safetyNumberGroups(page: Page, peer: string): Promise<string[]> {
  await page.locator('.topbar .e2e-badge').click();
  const groups = page.getByRole('dialog', { name: `Safety number with ${peer}` }).getByRole('group', { name: 'Safety number' }).locator('.safety-group');
  await groups.first().waitFor();
  return groups.allTextContents();
}

/**
 * One Chromium and one real server (started with `settings`) for a test file of the web client,
 * with per-test cleanups and a check after every test that no page threw or logged an error.
 */
export function useWebTestbed(settings: Parameters<typeof startTestServer>[0] = {}): WebTestbed {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  const cleanups: (() => unknown)[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchTestBrowser();
    server = await startTestServer(settings);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop({ removeData: true });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    expect(problems.splice(0)).toEqual([]);
  });

  const testbed: WebTestbed = {
    get browser() {
      if (!browser) throw new Error('the browser starts in beforeAll');
      return browser;
    },
    get server() {
      if (!server) throw new Error('the server starts in beforeAll');
      return server;
    },
    cleanups,
    async signIn(name, options) {
      const { page, context } = await signInToWebClient(testbed.browser, { port: testbed.server.httpPort, name, problems, ...options });
      cleanups.push(() => context.close());
      return page;
    },
    async sdk(credentials) {
      const client = new ParleyClient({ url: `tcp://127.0.0.1:${testbed.server.tcpPort}`, transport: nodeTransport(), credentials });
      cleanups.push(() => client.close());
      await client.connect();
      return client;
    },
  };
  return testbed;
}
