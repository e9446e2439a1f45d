import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signInToWebClient } from '../src/browser.ts';
import { spawnServer, waitFor, type SpawnedServer } from '../src/index.ts';
import { useWebTestbed } from './web-testbed.ts';

/**
 * The web client while its server is away (docs/web.md, "Reconnecting"): presence dots say
 * "unknown" instead of the last status seen, and "Retry now" on the banner starts the next
 * attempt at once instead of at the end of the countdown (seen as the page's next WebSocket). The testbed's own server is not used:
 * this one is a process that is stopped and started again on the same port.
 */
const testbed = useWebTestbed();
const { cleanups } = testbed;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('web client: outages', () => {
  it('shows presence as unknown while disconnected, and Retry now tries again before the countdown ends', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-web-outage-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const start = async (): Promise<SpawnedServer> => {
      const started = await spawnServer({ dataDir, args: ['--http', `127.0.0.1:${port}`] });
      cleanups.push(async () => {
        if (started.process.exitCode === null && started.process.signalCode === null) started.kill('SIGKILL');
        await started.exited;
      });
      return started;
    };
    const first = await start();
    const problems: string[] = [];
    const open = async (name: string): Promise<Page> => {
      const { page, context } = await signInToWebClient(testbed.browser, { port, name, problems });
      cleanups.push(() => context.close());
      return page;
    };
    const alice = await open('alice');
    await open('bob');
    const bob = alice.getByRole('complementary', { name: 'Members' }).locator('li', { hasText: 'bob' });
    await waitFor(async () => (await bob.getAttribute('data-status')) === 'online', 'bob online in the member list');

    first.kill('SIGTERM');
    await first.exited;
    const banner = alice.locator('.banner[data-state="reconnecting"]');
    await banner.waitFor();
    // No stale "online": grey, and said so to screen readers.
    await waitFor(async () => (await bob.getAttribute('data-status')) === 'unknown', 'bob shown as unknown');
    expect(await bob.locator('.dot').getAttribute('class')).toContain('unknown');
    expect(await bob.getByRole('button').first().textContent()).toContain('status unknown while disconnected');
    await alice.getByRole('complementary', { name: 'Members' }).getByRole('heading', { name: /^Status unknown/ }).waitFor();
    expect(await alice.locator('.me .dot').getAttribute('class')).toContain('unknown');

    // Wait for a countdown of 4 s or more (250 ms doubling to the browser's 5 s cap), then ask for
    // the attempt now: the page opens its next WebSocket at once, not when the countdown ends.
    const seconds = async () => Number(/Reconnecting in (\d+) s/.exec((await banner.textContent()) ?? '')?.[1] ?? 0);
    await waitFor(async () => (await seconds()) >= 4, 'a countdown of 4 s or more', 60_000);
    const left = await seconds();
    const clicked = Date.now();
    const attempt = alice.waitForEvent('websocket', { timeout: (left + 10) * 1000 });
    await banner.getByRole('button', { name: 'Retry now' }).click();
    await attempt;
    expect(Date.now() - clicked).toBeLessThan((left - 1) * 1000);

    // Back: the banner goes, and presence is known again.
    await start();
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    await waitFor(async () => (await bob.getAttribute('data-status')) === 'online', 'bob online again after the reconnect', 20_000);
    expect(problems).toEqual([]);
  }, 120_000);
});
