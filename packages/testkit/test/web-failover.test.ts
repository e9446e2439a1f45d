import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParleyClient } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { ChatMessage } from '@parley/protocol';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { spawnServer, startTestCluster, waitFor } from '../src/index.ts';
import { type, useWebTestbed } from './web-testbed.ts';

/**
 * The web client on a server of two nodes (real processes sharing one PostgreSQL schema and
 * NATS, docs/web.md "Several nodes"): the page from node 1 learns node 2 from /client.json, and
 * when node 1 is killed it moves there by itself, says so, and resumes with nothing lost or
 * doubled. The testbed's own server is not used.
 */
const testbed = useWebTestbed();
const { cleanups } = testbed;
const PASSWORD = 'failover-password';

const messages = (page: Page): Promise<string[]> => page.getByRole('log').locator('.msg-text').allTextContents();
const shownTimes = async (page: Page, text: string): Promise<number> => (await messages(page)).filter((shown) => shown === text).length;

describe('web client: several nodes', () => {
  it('fails over to the node /client.json names when its node is killed, and resumes there', async () => {
    const cluster = await startTestCluster({ nodes: 2 });
    cleanups.push(() => cluster.stop());
    const node2 = cluster.nodes[1]!;
    const node2Ws = `ws://127.0.0.1:${node2.httpPort}/ws`;
    // Node 1 again, now naming node 2: its port is known only once it runs.
    cluster.nodes[0]!.kill('SIGTERM');
    await cluster.nodes[0]!.exited;
    const node1 = await cluster.restart(0, { PARLEY_HTTP_FAILOVER_URLS: node2Ws });
    const node1Ws = `ws://127.0.0.1:${node1.httpPort}/ws`;

    const route = await fetch(`http://127.0.0.1:${node1.httpPort}/client.json`);
    expect(route.headers.get('content-type')).toBe('application/json');
    expect(route.headers.get('cache-control')).toBe('no-store');
    expect(await route.json(), 'node 1 serving its http.failover_urls (server.ts passes them to listenHttp)').toEqual({ failover: [node2Ws] });
    expect(await (await fetch(`http://127.0.0.1:${node2.httpPort}/client.json`)).json()).toEqual({ failover: [] });
    expect((await fetch(`http://127.0.0.1:${node1.httpPort}/client.json`, { method: 'POST' })).status).toBe(405);

    // The connect screen's Server field: this page's node, then the one /client.json named.
    const probe = await testbed.browser.newContext();
    cleanups.push(() => probe.close());
    const connectScreen = await probe.newPage();
    await connectScreen.goto(`http://127.0.0.1:${node1.httpPort}/`);
    const field = connectScreen.locator('input[name="server"]');
    let value = '';
    await waitFor(async () => (value = await field.inputValue()) === `${node1Ws} ${node2Ws}`, () => `the Server field naming both nodes, not "${value}"`, 20_000);

    const page = await testbed.signIn('alice', { port: node1.httpPort, password: PASSWORD, register: true });
    // The default list is not remembered: the next visit reads /client.json again.
    expect(await page.evaluate(() => localStorage.getItem('parley.server'))).toBe('');
    const host = page.locator('.brand-host');
    let hostShown: string | null = '';
    const hostIs = (text: string) => waitFor(async () => (hostShown = await host.textContent()) === text, () => `the sidebar showing "${text}", not "${hostShown}"`, 20_000);
    await hostIs(`127.0.0.1:${node1.httpPort} (node 1 of 2)`);
    await type(page, '/join #relay');
    await page.getByRole('heading', { name: '#relay' }).waitFor();

    const bob = new ParleyClient({ url: `tcp://127.0.0.1:${node2.tcpPort}`, transport: nodeTransport(), credentials: { kind: 'register', name: 'bob', password: PASSWORD } });
    cleanups.push(() => bob.close());
    const bobGot: ChatMessage[] = [];
    bob.on('message', (message) => bobGot.push(message));
    await bob.connect();
    await bob.join('#relay');
    await bob.send('#relay', 'before, from node 2');
    await waitFor(async () => (await shownTimes(page, 'before, from node 2')) === 1, 'the message from node 2 on the page', 20_000);

    // The page's scripts are held (the DevTools debugger, paused at their next statement) from
    // before node 1 dies until what bob sends next is stored: the page cannot reach node 2 before
    // that, so the message is sent while it is away and can only come by resume. (Offline
    // emulation would also stall the old socket, so the page would sometimes not see node 1 go.)
    const debug = await page.context().newCDPSession(page);
    cleanups.push(() => debug.detach().catch(() => undefined));
    let paused = false;
    debug.once('Debugger.paused', () => (paused = true));
    await debug.send('Debugger.enable');
    await debug.send('Debugger.pause');
    node1.kill('SIGKILL');
    await node1.exited;
    // Some script of the page runs (node 1's socket closing, at the latest) and stops there.
    await waitFor(() => paused, 'the page running a script after node 1 died', 20_000);
    await bob.send('#relay', 'while away, from node 2');
    await debug.send('Debugger.resume');
    await debug.send('Debugger.disable');

    const notice = page.locator('.notice-text', { hasText: `The connection to 127.0.0.1:${node1.httpPort} was lost; Parley moved to 127.0.0.1:${node2.httpPort}` });
    await Promise.all([notice.waitFor({ timeout: 20_000 }), page.locator('.banner[data-state="reconnected"]', { hasText: '1 missed message fetched.' }).waitFor({ timeout: 20_000 })]);
    await hostIs(`127.0.0.1:${node2.httpPort} (node 2 of 2)`);
    await waitFor(async () => (await shownTimes(page, 'while away, from node 2')) === 1, 'the message sent while away, resumed', 20_000);

    await type(page, 'back, through node 2');
    await waitFor(() => bobGot.some((m) => m.text === 'back, through node 2'), 'bob getting what the page sent after the failover', 20_000);
    await waitFor(async () => (await page.getByText('Sending…').count()) === 0, 'the page\'s message confirmed', 20_000);
    // By now any copy that came twice (resumed and live) would be shown.
    for (const text of ['before, from node 2', 'while away, from node 2', 'back, through node 2']) expect(await shownTimes(page, text), text).toBe(1);
    expect(await notice.count()).toBe(1);
    expect(bobGot.filter((m) => m.text === 'back, through node 2')).toHaveLength(1);
  }, 120_000);

  it('refuses to start when http.failover_urls names something a browser cannot open', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-failover-config-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    await expect(spawnServer({ dataDir, env: { PARLEY_HTTP_FAILOVER_URLS: 'ws://127.0.0.1:8081/ws,https://node2.example.org/ws' } })).rejects.toThrow(
      /http\.failover_urls\[1\]: expected a ws:\/\/ or wss:\/\/ URL such as "wss:\/\/node2\.example\.org:8443\/ws", got "https:\/\/node2\.example\.org\/ws" \(from PARLEY_HTTP_FAILOVER_URLS\)/,
    );
  }, 30_000);
});
