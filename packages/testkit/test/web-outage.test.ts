import { describe, expect, it } from 'vitest';
import { waitFor } from '../src/index.ts';
import { restartableProcess } from './server-process.ts';
import { useWebTestbed } from './web-testbed.ts';

/**
 * The web client while its server is away (docs/web.md, "Reconnecting"): presence dots say
 * "unknown" instead of the last status seen, and "Retry now" on the banner starts the next
 * attempt at once instead of at the end of the countdown (seen as the page's next WebSocket). The testbed's own server is not used:
 * this one is a process that is stopped and started again on the same port.
 */
const testbed = useWebTestbed();
const { cleanups } = testbed;

describe('web client: outages', () => {
  it('shows presence as unknown while disconnected, and Retry now tries again before the countdown ends', async () => {
    const srv = await restartableProcess(cleanups);
    const first = await srv.start();
    const open = (name: string) => testbed.signIn(name, { port: srv.httpPort });
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
    await srv.start();
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    await waitFor(async () => (await bob.getAttribute('data-status')) === 'online', 'bob online again after the reconnect', 20_000);
  }, 120_000);
});
