import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedEncodings, loadStaticSite } from './static-files.ts';

const BIG = `console.log(${JSON.stringify('parley '.repeat(500))});`;

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
  // Precompressed twins as the build writes them; a stale one (other bytes) must never be served.
  writeFileSync(join(site, 'assets', 'app-Zz9.js'), BIG);
  writeFileSync(join(site, 'assets', 'app-Zz9.js.br'), brotliCompressSync(BIG));
  writeFileSync(join(site, 'assets', 'app-Zz9.js.gz'), gzipSync(BIG));
  writeFileSync(join(site, 'assets', 'index-AbC123.css.br'), brotliCompressSync('body{color:red}'));
  symlinkSync(join(root, 'secret.txt'), join(site, 'assets', 'index-AbC123.js.gz'));
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

function rawBytes(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
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

  it('sends the precompressed twin the request accepts: br before gzip, identity without either', async () => {
    const br = await rawBytes('/assets/app-Zz9.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect([br.headers['content-encoding'], br.headers['vary'], br.headers['content-length']]).toEqual(['br', 'Accept-Encoding', String(br.body.length)]);
    expect(br.body).toEqual(brotliCompressSync(BIG));
    const gz = await rawBytes('/assets/app-Zz9.js', { 'accept-encoding': 'gzip;q=1, br;q=0' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body).toEqual(gzipSync(BIG));
    const plain = await rawBytes('/assets/app-Zz9.js');
    expect([plain.headers['content-encoding'], plain.headers['vary'], plain.body.toString()]).toEqual([undefined, 'Accept-Encoding', BIG]);
    // One entity tag per representation, and a 304 only for the one that was asked for.
    expect(new Set([br.headers['etag'], gz.headers['etag'], plain.headers['etag']]).size).toBe(3);
    expect((await rawBytes('/assets/app-Zz9.js', { 'accept-encoding': 'br', 'if-none-match': String(br.headers['etag']) })).status).toBe(304);
    expect((await rawBytes('/assets/app-Zz9.js', { 'accept-encoding': 'gzip', 'if-none-match': String(br.headers['etag']) })).status).toBe(200);
    const head = await rawBytes('/assets/app-Zz9.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect([head.headers['content-length'], head.body.length]).toEqual([String(br.body.length), 0]);
  });

  it('serves no twin that is stale or a symlink, and gives twins no URL of their own', async () => {
    const css = await rawBytes('/assets/index-AbC123.css', { 'accept-encoding': 'br' });
    expect([css.headers['content-encoding'], css.body.toString()]).toEqual([undefined, 'body{}']);
    const js = await rawBytes('/assets/index-AbC123.js', { 'accept-encoding': 'gzip' });
    expect([js.headers['content-encoding'], js.body.toString()]).toEqual([undefined, 'console.log(1)']);
    expect((await raw('/assets/app-Zz9.js.br')).status).toBe(404);
    expect((await raw('/assets/app-Zz9.js.gz')).status).toBe(404);
  });

  it('reads Accept-Encoding by RFC 9110: q=0 refuses, * covers the rest, no header is identity', () => {
    expect([...acceptedEncodings(undefined)]).toEqual([]);
    expect([...acceptedEncodings('')]).toEqual([]);
    expect([...acceptedEncodings('identity')]).toEqual([]);
    expect([...acceptedEncodings('br;q=0, *')]).toEqual(['gzip']);
    expect([...acceptedEncodings('*;q=0')]).toEqual([]);
    expect([...acceptedEncodings('GZIP;Q=0.5')]).toEqual(['gzip']);
    expect([...acceptedEncodings('x-gzip')]).toEqual(['gzip']);
    expect([...acceptedEncodings('br , gzip;q=0.001')].sort()).toEqual(['br', 'gzip']);
  });

  it('is absent when the directory has no index.html (the server then shows its info page)', () => {
    expect(loadStaticSite(join(root, 'missing'))).toBeUndefined();
    expect(loadStaticSite(root)).toBeUndefined();
  });
});
