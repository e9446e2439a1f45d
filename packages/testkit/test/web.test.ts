import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { ParleyClient } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../src/index.ts';
import { restartableProcess } from './server-process.ts';
import { type, useWebTestbed } from './web-testbed.ts';

/**
 * The web client in Debian's Chromium against real servers: the page the server
 * serves at `/`, driven through its accessible roles and names like a person would.
 */
const PARLEY_BIN = fileURLToPath(new URL('../../cli/bin/parley-dev.js', import.meta.url));
const LIMITS = { messages_per_minute: 60_000, message_burst: 10_000 };

const testbed = useWebTestbed({ limits: LIMITS });
const { cleanups, signIn } = testbed;

/** The text of every message in the open conversation, in order. */
const messages = (page: Page): Promise<string[]> => page.getByRole('log').locator('.msg-text').allTextContents();

function see(page: Page, text: string): Promise<string[]> {
  return waitFor(
    async () => ((await messages(page)).includes(text) ? messages(page) : undefined),
    `"${text}" in the log`,
  );
}

const memberNames = (page: Page): Promise<string[]> => page.getByRole('complementary', { name: 'Members' }).locator('.member-name').allTextContents();
const member = (page: Page, name: string) => page.getByRole('complementary', { name: 'Members' }).locator('li', { hasText: name });

/** A raw HTTP request: fetch() would normalize `..` before sending it. */
function raw(port: number, path: string, { method = 'GET', headers = {} }: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('web client', () => {
  it('serves the built client at / with a strict CSP and cache headers, and refuses traversal', async () => {
    const port = testbed.server.httpPort;
    const index = await raw(port, '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['etag']).toBeTruthy();
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    // No inline script: everything the page runs comes from a hashed file under /assets/.
    expect(index.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    expect(script).toBeDefined();
    const asset = await raw(port, script ?? '');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await raw(port, '/', { headers: { 'if-none-match': String(index.headers['etag']) } })).status).toBe(304);
    const head = await raw(port, '/', { method: 'HEAD' });
    expect([head.status, head.body, head.headers['content-length']]).toEqual([200, '', String(Buffer.byteLength(index.body))]);

    for (const path of ['/../package.json', '/assets/../../package.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/src/main.tsx', '/nope']) {
      const res = await raw(port, path);
      expect(res.status, path).toBe(404);
    }
    expect((await raw(port, '/healthz')).status).toBe(200);
    expect((await raw(port, '/about')).body).toContain('Parley');
    expect((await raw(port, '/ws')).status).toBe(426);
  });

  it('two people: history on scroll up, room messages, Enter and Shift+Enter, a DM with an unread badge, presence', async () => {
    // Older messages than one page, sent before anyone opens the page.
    const archivist = new ParleyClient({ url: `ws://127.0.0.1:${testbed.server.httpPort}/ws`, transport: nodeTransport(), credentials: { kind: 'guest', name: 'archivist' } });
    cleanups.push(() => archivist.close());
    await archivist.connect();
    for (let i = 1; i <= 60; i++) await archivist.send('#general', `old message ${String(i).padStart(2, '0')}`);

    const alice = await signIn('alice');
    const bob = await signIn('bob');
    await alice.getByRole('heading', { name: '#general' }).waitFor();
    await see(alice, 'old message 60');
    expect(await messages(alice)).not.toContain('old message 01');
    await alice.getByRole('log').evaluate((log) => (log.scrollTop = 0));
    await see(alice, 'old message 01');
    await alice.getByRole('log').getByText('This is the beginning of #general.').waitFor();
    const history = (await messages(alice)).filter((text) => text.startsWith('old message'));
    expect(history).toEqual(Array.from({ length: 60 }, (_, i) => `old message ${String(i + 1).padStart(2, '0')}`));

    await type(alice, '/join #web');
    await alice.getByRole('heading', { name: '#web' }).waitFor();
    await type(bob, '/join #web');
    await bob.getByRole('heading', { name: '#web' }).waitFor();
    await member(alice, 'bob').waitFor();

    await type(alice, 'hello from alice');
    await see(bob, 'hello from alice');
    const input = bob.getByRole('textbox', { name: 'Message' });
    await input.pressSequentially('line one');
    await input.press('Shift+Enter');
    await input.pressSequentially('line two');
    await input.press('Enter');
    await see(alice, 'line one\nline two');
    expect(await input.inputValue()).toBe('');

    await type(alice, '/msg bob psst, a secret');
    await alice.getByRole('heading', { name: 'bob' }).waitFor();
    const dm = bob.getByRole('button', { name: /alice\s*1 unread/ });
    await dm.waitFor();
    await dm.click();
    await see(bob, 'psst, a secret');
    await bob.getByRole('button', { name: /^alice$/ }).waitFor();

    // Presence as alice sees it in #web's member list.
    await alice.getByRole('button', { name: 'web' }).click();
    await waitFor(async () => (await member(alice, 'bob').getAttribute('data-status')) === 'online', 'bob online');
    await bob.getByRole('button', { name: 'Set away' }).click();
    await waitFor(async () => (await member(alice, 'bob').getAttribute('data-status')) === 'away', 'bob away in the member list');
    await bob.context().close();
    await waitFor(async () => (await member(alice, 'bob').count()) === 0, 'bob gone from the member list');

    // Keyboard: Alt+Up/Down walks the sidebar's conversations (#general, #web, bob).
    await alice.keyboard.press('Alt+ArrowUp');
    await alice.getByRole('heading', { name: '#general' }).waitFor();
    await alice.keyboard.press('Alt+ArrowUp');
    await alice.getByRole('heading', { name: 'bob' }).waitFor();
  });

  it('a terminal client (parley chat --plain) and a browser talk in a room and by DM', async () => {
    const web = await signIn('webby');
    const terminal = spawn(process.execPath, [PARLEY_BIN, 'chat', '--plain', `ws://127.0.0.1:${testbed.server.httpPort}/ws`, '--name', 'term'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => terminal.once('exit', resolve));
    cleanups.push(async () => {
      if (terminal.exitCode === null && terminal.signalCode === null) terminal.kill('SIGKILL');
      await exited;
    });
    let out = '';
    let err = '';
    terminal.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    terminal.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const terminalSees = (line: string) => waitFor(() => out.split('\n').includes(line), () => `terminal line "${line}"; stdout:\n${out}\nstderr:\n${err}`, 15_000);

    await waitFor(() => /joined #general/.test(err), () => `the terminal client joining #general:\n${err}`, 15_000);
    await member(web, 'term').waitFor();
    await type(web, 'hello terminal');
    await terminalSees('[#general] webby: hello terminal');
    terminal.stdin.write('hello browser\n');
    await see(web, 'hello browser');
    terminal.stdin.write('/msg webby a direct hello\n');
    await web.getByRole('button', { name: /term\s*1 unread/ }).click();
    await see(web, 'a direct hello');
    await type(web, 'got it');
    await terminalSees('[dm] webby: got it');
  });

  it('a refused sign-in stays on the connect screen and says why', async () => {
    const context = await testbed.browser.newContext();
    cleanups.push(() => context.close());
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${testbed.server.httpPort}/`);
    await page.getByRole('textbox', { name: 'Name' }).fill('nobody-here');
    await page.getByLabel('Password').fill('not-a-password');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/password|account|credentials/i);
    expect(await page.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
  });

  it('on a phone-sized screen the sidebar is a drawer behind the menu button', async () => {
    const page = await signIn('phone', { viewport: { width: 390, height: 844 } });
    const toggle = page.getByRole('button', { name: 'Conversations' });
    const sidebar = page.getByRole('navigation', { name: 'Conversations' });
    await waitFor(async () => !(await sidebar.isVisible()), 'the sidebar hidden');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    await sidebar.waitFor({ state: 'visible' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Escape');
    await waitFor(async () => !(await sidebar.isVisible()), 'the sidebar hidden again after Escape');
  });
});

describe('web client across a server restart', () => {
  // Two servers started from the sources and two reconnects: 14 s alone, past 30 s on a loaded two-core machine.
  it('shows the reconnect banner, reconnects on its own, and loses or doubles nothing sent before, during and after', async () => {
    const srv = await restartableProcess(cleanups, { env: { PARLEY_LIMITS_MESSAGES_PER_MINUTE: '60000', PARLEY_LIMITS_MESSAGE_BURST: '10000' } });
    const port = srv.httpPort;
    const first = await srv.start();
    expect(first.httpPort).toBe(port);

    const alice = await signIn('alice', { port, password: 'alice-password', register: true });
    const bob = await signIn('bob', { port, password: 'bob-password', register: true });
    // A guest who renamed itself comes back under its new name.
    const carol = await signIn('carol', { port });
    await type(carol, '/nick carolyn');
    await member(alice, 'carolyn').waitFor();
    await member(alice, 'bob').waitFor();
    await type(alice, 'before: alice');
    await see(bob, 'before: alice');
    await type(bob, 'before: bob');
    await see(alice, 'before: bob');

    first.kill('SIGTERM');
    await first.exited;
    const banner = (page: Page) => page.getByRole('status').filter({ hasText: 'Connection lost' });
    await banner(alice).waitFor();
    await banner(bob).waitFor();
    expect(await banner(alice).textContent()).toMatch(/Reconnecting( in \d+ s)?…/);
    // Typed while the server is down: shown at once, sent when it is back.
    await type(alice, 'during: alice 1');
    await type(alice, 'during: alice 2');
    await type(bob, 'during: bob');
    await alice.getByText('Sending…').first().waitFor();

    await srv.start();
    await banner(alice).waitFor({ state: 'hidden', timeout: 30_000 });
    await banner(bob).waitFor({ state: 'hidden', timeout: 30_000 });
    await type(alice, 'after: alice');
    await type(bob, 'after: bob');
    await type(carol, 'after: carolyn');
    await see(alice, 'after: carolyn');
    expect(await alice.locator('.msg[data-from="carolyn"] .msg-text').allTextContents()).toContain('after: carolyn');
    await waitFor(async () => (await memberNames(alice)).includes('carolyn'), 'carolyn in the member list');
    expect(await memberNames(alice)).not.toContain('carol');

    const expected = ['before: alice', 'before: bob', 'during: alice 1', 'during: alice 2', 'during: bob', 'after: alice', 'after: bob'];
    for (const page of [alice, bob]) {
      const shown = await waitFor(
        async () => {
          const texts = await messages(page);
          const settled = (await page.getByText('Sending…').count()) === 0;
          return settled && expected.every((text) => texts.includes(text)) ? texts : undefined;
        },
        'every message shown once, none still sending',
        20_000,
      );
      for (const text of expected) expect(shown.filter((t) => t === text), text).toHaveLength(1);
      expect(await page.getByText('Not delivered').count()).toBe(0);
    }
    // Two server starts and three pages reconnecting: 23 s alone on two cores, over 30 s beside other browser tests.
  }, 90_000);
});
