/**
 * Which addresses the page connects to. A server that runs as several nodes names the others
 * in `http.failover_urls`, served at `/client.json`; the page tries its own node first, then
 * those, and the SDK moves round-robin to the next one when a connection is lost.
 */

/** The WebSocket endpoint beside the page: the node this page came from. */
export function pageServerUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/** What the Server field holds: addresses separated by spaces or commas (a URL has neither unescaped). */
export function parseServerList(text: string): string[] {
  return text.split(/[\s,]+/).filter((part) => part !== '');
}

export function formatServerList(list: readonly string[]): string {
  return list.join(' ');
}

export function sameServerList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((url, i) => url === b[i]);
}

/** The host as the sidebar shows it, without the scheme's default port. */
export function shortServerName(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function isWebSocketUrl(value: unknown): value is string {
  return typeof value === 'string' && URL.canParse(value) && /^wss?:$/.test(new URL(value).protocol);
}

/** `first`, then `others` in order, each once (compared as URLs: a list naming every node, this one included, is fine). */
function distinct(first: string, others: readonly string[]): string[] {
  const seen = new Set<string>([new URL(first).href]);
  const list = [first];
  for (const url of others) {
    const href = new URL(url).href;
    if (seen.has(href)) continue;
    seen.add(href);
    list.push(url);
  }
  return list;
}

// A server that does not answer in this time is likely down, and the connect attempt says so;
// waiting longer would only hold up the Connect button.
const CLIENT_JSON_TIMEOUT_MS = 3_000;

async function fetchFailover(): Promise<string[]> {
  try {
    const response = await fetch('/client.json', { cache: 'no-store', signal: AbortSignal.timeout(CLIENT_JSON_TIMEOUT_MS) });
    if (!response.ok) return [];
    const body: unknown = await response.json();
    const failover = typeof body === 'object' && body !== null ? (body as { failover?: unknown }).failover : undefined;
    return Array.isArray(failover) ? failover.filter(isWebSocketUrl) : [];
  } catch {
    // An older server without the route, the dev server, a network error: just no other nodes.
    return [];
  }
}

let defaults: Promise<string[]> | undefined;

/** This page's own `/ws`, then the other nodes `/client.json` names; fetched once per page load, never rejects. */
export function defaultServers(): Promise<string[]> {
  defaults ??= fetchFailover().then((failover) => distinct(pageServerUrl(), failover));
  return defaults;
}
