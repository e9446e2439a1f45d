import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStaticSite } from './static-files.ts';

/** The static site on its own: a temp dir shaped like Vite's output, served by a bare HTTP server. */
let root: string;
let server: Server;
let port: number;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'parley-static-'));
  const site = join(root, 'dist');
  mkdirSync(join(site, 'assets'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(site, 'assets', 'index-AbC123.js'), 'console.log(1)');
  writeFileSync(join(site, 'assets', 'index-AbC123.css'), 'body{}');
  writeFileSync(join(site, 'favicon.svg'), '<svg/>');
  writeFileSync(join(site, '.env'), 'SECRET=1');
  writeFileSync(join(site, 'notes.unknownext'), 'x');
  writeFileSync(join(root, 'secret.txt'), 'outside the site');
  symlinkSync(join(root, 'secret.txt'), join(site, 'assets', 'link.txt'));
  const loaded = loadStaticSite(site);
  if (!loaded) throw new Error('site not loaded');
  server = createServer((req, res) => {
    if (!loaded.serve(req, res, (req.url ?? '/').split('?')[0] ?? '/')) {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

/** A raw request: fetch() would normalize `..` away before sending, which is not what attackers do. */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('static site', () => {
  it('serves index.html at / with no-cache, an ETag and the security headers', async () => {
    const res = await raw('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>t</title>');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['etag']).toMatch(/^"[\w-]+"$/);
    expect(res.headers['last-modified']).toBeTruthy();
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves hashed assets as immutable with their content types', async () => {
    const js = await raw('/assets/index-AbC123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await raw('/assets/index-AbC123.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await raw('/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers 304 to a matching If-None-Match, and HEAD with headers only', async () => {
    const first = await raw('/');
    const again = await raw('/', { 'if-none-match': String(first.headers['etag']) });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    const head = await raw('/assets/index-AbC123.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String('console.log(1)'.length));
    expect(head.body).toBe('');
  });

  it('refuses traversal, encoded tricks, symlinks out, dotfiles and unknown types', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/assets/..\\..\\secret.txt',
      '//secret.txt',
      '/assets/link.txt',
      '/.env',
      '/notes.unknownext',
      '/index.html%00.js',
      '/nope',
    ]) {
      const res = await raw(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain('outside the site');
    }
  });

  it('is absent when the directory has no index.html (the server then shows its info page)', () => {
    expect(loadStaticSite(join(root, 'missing'))).toBeUndefined();
    expect(loadStaticSite(root)).toBeUndefined();
  });
});
