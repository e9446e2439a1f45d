/**
 * First paint and bytes on the wire of the web client's connect screen, in Debian's Chromium
 * on an emulated slow connection (Chrome DevTools' Network.emulateNetworkConditions: 1.6 Mbit/s
 * down, 750 kbit/s up, 150 ms latency, the "slow 3G"-like profile docs/web.md quotes). Run by
 * hand after `npm run build`, on a quiet machine:
 *
 *   node --import tsx scripts/measure-web.ts [--runs 5] [--locale de-DE]
 *
 * Each run is a fresh browser context (nothing cached). "identity" asks for uncompressed files
 * (Accept-Encoding: identity), which is what every browser got before the server sent the
 * build's precompressed twins; "negotiated" is what a browser gets now. Prints medians.
 * Only loopback traffic: a real server in process, Chromium's background networking off.
 */
import { startTestServer } from '@parley/testkit';
import { launchTestBrowser } from '@parley/testkit/browser';
import type { Browser } from 'playwright-core';

const option = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const runs = Number(option('--runs')) || 5;
/** The browser's language: German readers also load the German catalog's chunk before the first render. */
const locale = option('--locale') ?? 'en-US';
const LINK = { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };

interface Sample {
  firstPaint: number;
  firstContentfulPaint: number;
  totalBytes: number;
  scriptBytes: number;
  scriptEncoding: string;
}

async function measure(browser: Browser, url: string, identity: boolean): Promise<Sample> {
  const context = await browser.newContext({ locale });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', LINK);
    if (identity) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
    const kinds = new Map<string, { type: string; encoding: string }>();
    let totalBytes = 0;
    let scriptBytes = 0;
    let scriptEncoding = 'identity';
    cdp.on('Network.responseReceived', (event) => {
      const headers = Object.fromEntries(Object.entries(event.response.headers).map(([key, value]) => [key.toLowerCase(), String(value)]));
      kinds.set(event.requestId, { type: event.type, encoding: headers['content-encoding'] ?? 'identity' });
    });
    cdp.on('Network.loadingFinished', (event) => {
      totalBytes += event.encodedDataLength;
      const kind = kinds.get(event.requestId);
      if (kind?.type === 'Script') {
        scriptBytes += event.encodedDataLength;
        scriptEncoding = kind.encoding;
      }
    });
    await page.goto(url, { waitUntil: 'load' });
    await page.locator('.connect-card button[type="submit"]').waitFor();
    const paints = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('paint').map((entry) => [entry.name, entry.startTime])));
    return { firstPaint: paints['first-paint'] ?? Number.NaN, firstContentfulPaint: paints['first-contentful-paint'] ?? Number.NaN, totalBytes, scriptBytes, scriptEncoding };
  } finally {
    await context.close();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const server = await startTestServer();
const browser = await launchTestBrowser();
try {
  const url = `http://127.0.0.1:${server.httpPort}/`;
  console.log(`| served as | first paint | first contentful paint | bytes transferred | of which JS | JS encoding |`);
  console.log(`|---|---|---|---|---|---|`);
  for (const identity of [true, false]) {
    const samples: Sample[] = [];
    // Interleaving would mix warm-up into one mode; one discarded warm-up run per mode instead.
    await measure(browser, url, identity);
    for (let i = 0; i < runs; i++) samples.push(await measure(browser, url, identity));
    const ms = (pick: (s: Sample) => number) => `${(median(samples.map(pick)) / 1000).toFixed(2)} s`;
    const kb = (pick: (s: Sample) => number) => `${(median(samples.map(pick)) / 1024).toFixed(1)} KB`;
    console.log(`| ${identity ? 'identity' : 'negotiated'} | ${ms((s) => s.firstPaint)} | ${ms((s) => s.firstContentfulPaint)} | ${kb((s) => s.totalBytes)} | ${kb((s) => s.scriptBytes)} | ${samples[0]?.scriptEncoding ?? '?'} |`);
  }
} finally {
  await browser.close();
  await server.stop({ removeData: true });
}
