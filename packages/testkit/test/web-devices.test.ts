import { ParleyClient } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useWebTestbed } from './web-testbed.ts';

/**
 * "Stay signed in on this device" in Debian's Chromium against a real server: the page keeps
 * a device token (never the password), signs in with it on reload, and is signed out when the
 * device is revoked from elsewhere or signs out itself.
 */
const testbed = useWebTestbed();
const { cleanups, signIn } = testbed;

const messageBox = (page: Page) => page.getByRole('textbox', { name: 'Message' });
/** What the page keeps to stay signed in, or null. */
const stored = (page: Page) => page.evaluate(() => localStorage.getItem('parley.device'));
const everythingStored = (page: Page) => page.evaluate(() => JSON.stringify({ ...localStorage }));

/** The account's devices, as a password client of its own sees them. */
async function devicesOf(name: string, password: string) {
  const client = new ParleyClient({ url: `tcp://127.0.0.1:${testbed.server.tcpPort}`, transport: nodeTransport(), credentials: { kind: 'login', name, password } });
  cleanups.push(() => client.close());
  await client.connect();
  return (await client.request('devices', {})).devices;
}

describe('web client: stay signed in', () => {
  it('a reload signs in again with the stored token, which is not the password', async () => {
    const page = await signIn('rita', { password: 'rita-password-1', register: true, stay: true });
    expect(JSON.parse((await stored(page)) ?? 'null')).toMatchObject({ name: 'rita', token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), deviceId: expect.any(Number) });
    expect(await everythingStored(page)).not.toContain('rita-password-1');

    await page.reload();
    await messageBox(page).waitFor();
    expect(await page.getByRole('button', { name: 'Connect', exact: true }).count()).toBe(0);
    const devices = await devicesOf('rita', 'rita-password-1');
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ label: 'Chrome on Linux' });
    expect(devices[0]!.lastUsed).toBeGreaterThan(devices[0]!.created);
  });

  it('only accounts can stay signed in: the checkbox waits for a password', async () => {
    const context = await testbed.browser.newContext();
    cleanups.push(() => context.close());
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${testbed.server.httpPort}/`);
    const stay = page.getByRole('checkbox', { name: 'Stay signed in on this device' });
    expect(await stay.isDisabled()).toBe(true);
    await page.getByLabel('Password').fill('something');
    expect(await stay.isEnabled()).toBe(true);
  });

  it('revoking the device from a second browser signs the first out, with a sentence saying why', async () => {
    const first = await signIn('sam', { password: 'sam-password-1', register: true, stay: true });
    const second = await signIn('sam', { password: 'sam-password-1', stay: true });

    await messageBox(second).fill('/devices');
    await messageBox(second).press('Enter');
    const dialog = second.getByRole('dialog', { name: 'Your devices' });
    const rows = dialog.getByRole('listitem');
    await expect.poll(() => rows.count()).toBe(2);
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringMatching(/^Chrome on LinuxLast used just now from 127\.0\.0\.1 · signed in /), expect.stringMatching(/^Chrome on Linux \(this device\)Last used/)]);
    await dialog.getByRole('button', { name: 'Revoke Chrome on Linux', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(1);

    await first.getByRole('button', { name: 'Connect', exact: true }).waitFor();
    await expect.poll(() => first.getByRole('alert').textContent()).toMatch(/^You were signed out on this device: its sign-in was revoked/);
    expect(await stored(first)).toBeNull();
    // Forgotten for good: a reload shows the form, not a sign-in attempt.
    await first.reload();
    await first.getByRole('button', { name: 'Connect', exact: true }).waitFor();

    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    await messageBox(second).waitFor();
  });

  it('signing out revokes this device and forgets its token', async () => {
    const page = await signIn('tess', { password: 'tess-password-1', register: true, stay: true });
    expect(await devicesOf('tess', 'tess-password-1')).toHaveLength(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Connect', exact: true }).waitFor();
    expect(await stored(page)).toBeNull();
    await expect.poll(async () => (await devicesOf('tess', 'tess-password-1')).length).toBe(0);
    await page.reload();
    await page.getByRole('button', { name: 'Connect', exact: true }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });
});
