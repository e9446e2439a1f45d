import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchTestBrowser } from '../src/browser.ts';
import { startTestServer, type TestServer } from '../src/index.ts';

/**
 * The built web client over real HTTP (docs/web.md, "How it is built and served"): the build
 * wrote `.br` and `.gz` beside each script, style sheet and page, and the server sends the one
 * the request accepts, br before gzip before the file itself, each with its own length and
 * entity tag, for GET and HEAD; unpacked, every variant is the same bytes as the file.
 */
let server: TestServer;

beforeAll(async () => {
  // Builds the client if this checkout has not (as the browser tests do); no browser is kept.
  await (await launchTestBrowser()).close();
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop({ removeData: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.httpPort, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.once('error', reject);
    req.end();
  });
}

const unpack = (answer: Answer): Buffer => {
  const coding = answer.headers['content-encoding'];
  return coding === 'br' ? brotliDecompressSync(answer.body) : coding === 'gzip' ? gunzipSync(answer.body) : answer.body;
};

describe('precompressed static files', () => {
  it('sends br, gzip or the file itself by Accept-Encoding, with Vary, lengths and tags per variant, and the same bytes unpacked', async () => {
    const page = (await get('/')).body.toString();
    const assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(assets.some((path) => path.endsWith('.js'))).toBe(true);
    expect(assets.some((path) => path.endsWith('.css'))).toBe(true);

    for (const path of ['/', ...assets]) {
      const plain = await get(path);
      const br = await get(path, { 'accept-encoding': 'gzip, deflate, br, zstd' });
      const gzip = await get(path, { 'accept-encoding': 'gzip, deflate' });
      const refused = await get(path, { 'accept-encoding': 'br;q=0, gzip;q=0' });
      expect([plain.status, br.status, gzip.status, refused.status], path).toEqual([200, 200, 200, 200]);
      expect([plain.headers['content-encoding'], br.headers['content-encoding'], gzip.headers['content-encoding'], refused.headers['content-encoding']], path).toEqual([
        undefined,
        'br',
        'gzip',
        undefined,
      ]);
      for (const answer of [plain, br, gzip]) {
        expect(answer.headers['vary'], path).toBe('Accept-Encoding');
        expect(answer.headers['content-length'], path).toBe(String(answer.body.length));
        expect(unpack(answer).equals(plain.body), path).toBe(true);
        expect(answer.headers['content-security-policy'], path).toContain("default-src 'self'");
      }
      expect(br.body.length, path).toBeLessThan(gzip.body.length);
      expect(gzip.body.length, path).toBeLessThan(plain.body.length);
      expect(new Set([plain.headers['etag'], br.headers['etag'], gzip.headers['etag']]).size, path).toBe(3);

      // Revalidation matches the variant asked for; HEAD has the variant's headers and no body.
      expect((await get(path, { 'accept-encoding': 'br', 'if-none-match': String(br.headers['etag']) })).status, path).toBe(304);
      expect((await get(path, { 'if-none-match': String(br.headers['etag']) })).status, path).toBe(200);
      const head = await get(path, { 'accept-encoding': 'gzip' }, 'HEAD');
      expect([head.status, head.headers['content-encoding'], head.headers['content-length'], head.body.length], path).toEqual([200, 'gzip', String(gzip.body.length), 0]);
    }
  });
});
