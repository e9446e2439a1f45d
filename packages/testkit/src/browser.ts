import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

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
