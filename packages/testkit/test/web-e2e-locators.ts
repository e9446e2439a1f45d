import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';

/** What the end-to-end browser tests look for on a page, and the unique texts they send. */
export const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });
/** A conversation's sidebar entry, with or without its unread count. */
export const entry = (page: Page, name: string) => sidebar(page).getByRole('button', { name: new RegExp(`^${name}(\\s*\\d+ unread)?$`) });
export const log = (page: Page) => page.getByRole('log');
export const message = (page: Page, text: string) => log(page).locator('.msg', { hasText: text });
/** The open conversation's encryption indicator. */
export const badge = (page: Page) => page.locator('.topbar .e2e-badge');
/** A text no other test sends, so a grep of the server's files for it means something. */
export const marker = (label: string) => `${label}-${randomBytes(8).toString('hex')}`;
