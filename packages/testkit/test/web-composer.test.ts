import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useWebTestbed } from './web-testbed.ts';

/**
 * The message box (docs/web.md, "Writing"): it grows with wrapped text up to 40% of the window
 * and then scrolls; a message over the server's text limit (the `hello` reply's maxTextBytes,
 * 16384 bytes by default, counted in UTF-8) is neither sent nor cleared and says by how much.
 */
const testbed = useWebTestbed();
const { signIn } = testbed;

const box = (page: Page) => page.getByRole('textbox', { name: 'Message' });
const metrics = (page: Page) =>
  box(page).evaluate((el: HTMLTextAreaElement) => ({
    height: el.clientHeight,
    scrollHeight: el.scrollHeight,
    lineHeight: Number.parseFloat(getComputedStyle(el).lineHeight),
    window: window.innerHeight,
  }));

describe('web client: composer', () => {
  it('on a phone, a long message wraps onto several visible lines, then the box stops at 40% of the screen and scrolls', async () => {
    const page = await signIn('writer', { viewport: { width: 390, height: 844 } });
    const one = await metrics(page);
    expect(one.height).toBeLessThan(one.lineHeight * 2);

    await box(page).fill('This is a message long enough to wrap onto several lines on a phone-sized screen, without a single newline typed in it.');
    await expect.poll(async () => (await metrics(page)).height).toBeGreaterThanOrEqual(one.lineHeight * 3);
    const some = await metrics(page);
    // Every line is in view: the box is as tall as its text.
    expect(some.scrollHeight).toBeLessThanOrEqual(some.height + 1);

    await box(page).fill('A very long message. '.repeat(200));
    await expect.poll(async () => (await metrics(page)).scrollHeight).toBeGreaterThan(some.scrollHeight);
    const many = await metrics(page);
    expect(many.height).toBeLessThanOrEqual(Math.ceil(many.window * 0.4));
    expect(many.height).toBeGreaterThan(many.window * 0.3);
    expect(many.scrollHeight).toBeGreaterThan(many.height);

    // Sent and cleared, it is one line again.
    await box(page).press('Enter');
    await page.getByRole('log').locator('.msg.sent', { hasText: 'A very long message.' }).waitFor();
    await expect.poll(async () => (await metrics(page)).height).toBeLessThan(one.lineHeight * 2);
  });

  it('a message over the text limit is not sent and not cleared: it says how many bytes too many, and Send is off', async () => {
    const page = await signIn('verbose');
    const send = page.getByRole('button', { name: 'Send' });
    // 8,193 "é" are 16,386 UTF-8 bytes: 2 over the limit, though only half as many characters.
    const tooLong = 'é'.repeat(8193);
    await box(page).fill(tooLong);
    const explanation = page.getByText('2 bytes over the limit of 16,384 bytes: shorten the message to send it.');
    await explanation.waitFor();
    expect(await send.isDisabled()).toBe(true);
    expect(await box(page).getAttribute('aria-invalid')).toBe('true');
    await box(page).press('Enter');
    expect(await box(page).inputValue()).toBe(tooLong);
    expect(await page.getByRole('log').locator('.msg.mine').count()).toBe(0);

    // Two bytes fewer is exactly the limit: it goes, as the server counts it the same way.
    await box(page).press('Backspace');
    await expect.poll(() => explanation.count()).toBe(0);
    expect(await send.isDisabled()).toBe(false);
    await box(page).press('Enter');
    await page.getByRole('log').locator('.msg.sent', { hasText: 'éééé' }).waitFor();
    expect(await page.getByText('Not delivered').count()).toBe(0);
    expect(await box(page).inputValue()).toBe('');
  });
});
