import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

/**
 * Serves the built web client (`packages/web/dist`). Every file is read once at start into a
 * table keyed by URL path, so a request can only ever name a file that was in the directory:
 * `..`, encoded slashes, NUL bytes and symlinks out of it have nothing to match (no path is
 * joined from request input). A rebuilt client is picked up at the next server start.
 * Files the build precompressed (`x.js.br`, `x.js.gz`) are sent instead of `x.js` to browsers
 * that accept them, with `Content-Encoding` and `Vary: Accept-Encoding`; the twins themselves
 * have no URL of their own.
 */
export interface StaticSite {
  readonly root: string;
  /** Answers a GET or HEAD for `path`; returns false when no file has that path (the caller 404s). */
  serve(req: IncomingMessage, res: ServerResponse, path: string): boolean;
}

/**
 * The browser may load scripts, styles and images from this origin only, and open WebSockets to
 * any server the connect screen names (`ws:`/`wss:`; `'self'` alone would pin it to this host).
 * No inline script or style is allowed: the Vite build emits none.
 */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every response of the site carries. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': WEB_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite writes content-hashed names under assets/: they never change, so caches may keep them forever. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** One representation of a file: the file itself, or its precompressed `.br` or `.gz` twin. */
interface Variant {
  body: Buffer;
  etag: string;
}

interface StaticFile {
  identity: Variant;
  /** Present when the build wrote them (packages/web/precompress.ts), in the order they are preferred. */
  encoded: { encoding: Encoding; variant: Variant }[];
  type: string;
  lastModified: string;
  cacheControl: string;
}

type Encoding = 'br' | 'gzip';
/** Brotli first: 15-20% smaller than gzip for the client's JavaScript; every current browser sends it over HTTP(S). */
const ENCODINGS: readonly { encoding: Encoding; suffix: string }[] = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
];

/** An entity tag per representation: RFC 9110, 8.8.3 makes a compressed body a different one. */
function variant(body: Buffer, tagSuffix = ''): Variant {
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}${tagSuffix}"` };
}

/**
 * The codings the request accepts, from Accept-Encoding (RFC 9110, 12.5.3): a coding with
 * `q=0` is refused, `*` stands for every coding not named, no header at all means identity only
 * (we never guess that a client decompresses).
 */
export function acceptedEncodings(header: string | undefined): Set<Encoding> {
  const accepted = new Set<Encoding>();
  if (header === undefined) return accepted;
  const named = new Map<string, number>();
  for (const part of header.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (token) named.set(token, Number.isFinite(weight) ? weight : 0);
  }
  for (const { encoding } of ENCODINGS) {
    const weight = named.get(encoding) ?? (encoding === 'gzip' ? named.get('x-gzip') : undefined) ?? named.get('*');
    if (weight !== undefined && weight > 0) accepted.add(encoding);
  }
  return accepted;
}

function decode(encoding: Encoding, packed: Buffer): Buffer | undefined {
  try {
    return encoding === 'br' ? brotliDecompressSync(packed) : gunzipSync(packed);
  } catch {
    return undefined;
  }
}

/** Where `npm install` builds the web client: the `@parley/web` package's `dist/`. */
export function defaultWebDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@parley/web/package.json')), 'dist');
  } catch {
    // Not linked (a partial install): the workspace layout still tells where it would be.
    return fileURLToPath(new URL('../../../web/dist', import.meta.url));
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(full);
    return entry.isFile() ? [full] : [];
  });
}

/** Loads the site from `dir`, or returns undefined when it has no index.html (not built). */
export function loadStaticSite(dir: string): StaticSite | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const files = new Map<string, StaticFile>();
  // Regular files only (listFiles skips symlinks): a twin must be one of them as well.
  const listed = new Set(listFiles(dir));
  for (const file of listed) {
    const urlPath = `/${relative(dir, file).split(sep).join('/')}`;
    const type = CONTENT_TYPES[extname(file).toLowerCase()];
    if (!type || urlPath.split('/').some((part) => part.startsWith('.'))) continue; // unknown types and dotfiles stay private
    const body = readFileSync(file);
    const identity = variant(body);
    const encoded = ENCODINGS.flatMap(({ encoding, suffix }) => {
      const twin = `${file}${suffix}`;
      if (!listed.has(twin)) return [];
      const packed = readFileSync(twin);
      // A twin left from another build (or copied in by hand) would serve other code than the
      // file: it is served only if it unpacks to the file's bytes (a millisecond per file, once).
      return decode(encoding, packed)?.equals(body) ? [{ encoding, variant: variant(packed, `-${suffix.slice(1)}`) }] : [];
    });
    files.set(urlPath, {
      identity,
      encoded,
      type,
      lastModified: statSync(file).mtime.toUTCString(),
      cacheControl: urlPath.startsWith('/assets/') ? IMMUTABLE : 'no-cache',
    });
  }
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  return {
    root: dir,
    serve(req, res, path) {
      const file = files.get(path);
      if (!file) return false;
      const accepted = file.encoded.length > 0 ? acceptedEncodings(req.headers['accept-encoding']) : new Set<Encoding>();
      const chosen = file.encoded.find(({ encoding }) => accepted.has(encoding));
      const { body, etag } = chosen?.variant ?? file.identity;
      const headers: Record<string, string> = {
        ...SECURITY_HEADERS,
        'content-type': file.type,
        'cache-control': file.cacheControl,
        etag,
        'last-modified': file.lastModified,
        // Caches between us and the browser must key on what the browser accepts.
        ...(file.encoded.length > 0 ? { vary: 'Accept-Encoding' } : {}),
        ...(chosen ? { 'content-encoding': chosen.encoding } : {}),
      };
      const tags = req.headers['if-none-match'];
      if (tags !== undefined && tags.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag || tag.trim() === '*')) {
        res.writeHead(304, headers);
        res.end();
        return true;
      }
      res.writeHead(200, { ...headers, 'content-length': String(body.length) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}
