import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatServerList, parseServerList, sameServerList, shortServerName } from './server-addresses.ts';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

/** A fresh module (defaultServers fetches once per page load) on a page at https://chat.example.org. */
async function onPage(answer: () => Promise<Response>) {
  vi.stubGlobal('location', { protocol: 'https:', host: 'chat.example.org' });
  const fetch = vi.fn(answer);
  vi.stubGlobal('fetch', fetch);
  const module = await import('./server-addresses.ts');
  return { defaultServers: module.defaultServers, fetch };
}

const json = (body: unknown) => () => Promise.resolve(new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }));

describe('the Server field', () => {
  it('takes addresses separated by spaces, commas or both, and writes them back with spaces', () => {
    expect(parseServerList(' wss://a/ws, wss://b:8443/ws\n wss://c/ws,,')).toEqual(['wss://a/ws', 'wss://b:8443/ws', 'wss://c/ws']);
    expect(parseServerList('  ')).toEqual([]);
    expect(formatServerList(['wss://a/ws', 'wss://b/ws'])).toBe('wss://a/ws wss://b/ws');
    expect(sameServerList(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameServerList(['a', 'b'], ['b', 'a'])).toBe(false);
  });

  it('shows a node by its host, without the default port', () => {
    expect(shortServerName('wss://node2.example.org:443/ws')).toBe('node2.example.org');
    expect(shortServerName('ws://127.0.0.1:8081/ws')).toBe('127.0.0.1:8081');
  });
});

describe('defaultServers', () => {
  it('is this page\'s /ws, then the nodes /client.json names, each once, fetched once', async () => {
    const { defaultServers, fetch } = await onPage(json({ failover: ['wss://node2.example.org/ws', 'wss://chat.example.org/ws', 'https://not-a-socket/ws', 7] }));
    expect(await defaultServers()).toEqual(['wss://chat.example.org/ws', 'wss://node2.example.org/ws']);
    await defaultServers();
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('is this page\'s /ws alone when /client.json fails, is not JSON, or has no list', async () => {
    for (const answer of [() => Promise.reject(new TypeError('Failed to fetch')), () => Promise.resolve(new Response('<!doctype html>')), json({}), () => Promise.resolve(new Response('', { status: 404 }))]) {
      vi.resetModules();
      const { defaultServers } = await onPage(answer);
      expect(await defaultServers()).toEqual(['wss://chat.example.org/ws']);
    }
  });
});
