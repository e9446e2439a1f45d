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
  /** Signs in through the connect screen (English, light, desktop-sized unless `options` say otherwise). */
  signIn(name: string, options?: Partial<Pick<WebSignIn, 'password' | 'register' | 'stay' | 'viewport' | 'locale' | 'colorScheme' | 'bypassCSP'>>): Promise<Page>;
}

/**
 * One Chromium and one real server for a test file of the web client, with per-test cleanups
 * and a check after every test that no page threw or logged an error.
 */
export function useWebTestbed(): WebTestbed {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  const cleanups: (() => unknown)[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchTestBrowser();
    server = await startTestServer();
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
  };
  return testbed;
}
