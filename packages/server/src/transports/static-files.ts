import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Serves the built web client (`packages/web/dist`). Every file is read once at start into a
 * table keyed by URL path, so a request can only ever name a file that was in the directory:
 * `..`, encoded slashes, NUL bytes and symlinks out of it have nothing to match (no path is
 * joined from request input). A rebuilt client is picked up at the next server start.
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

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  lastModified: string;
  cacheControl: string;
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
  for (const file of listFiles(dir)) {
    const urlPath = `/${relative(dir, file).split(sep).join('/')}`;
    const type = CONTENT_TYPES[extname(file).toLowerCase()];
    if (!type || urlPath.split('/').some((part) => part.startsWith('.'))) continue; // unknown types and dotfiles stay private
    const body = readFileSync(file);
    files.set(urlPath, {
      body,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
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
      const headers: Record<string, string> = {
        ...SECURITY_HEADERS,
        'content-type': file.type,
        'cache-control': file.cacheControl,
        etag: file.etag,
        'last-modified': file.lastModified,
      };
      const tags = req.headers['if-none-match'];
      if (tags !== undefined && tags.split(',').some((tag) => tag.trim().replace(/^W\//, '') === file.etag || tag.trim() === '*')) {
        res.writeHead(304, headers);
        res.end();
        return true;
      }
      res.writeHead(200, { ...headers, 'content-length': String(file.body.length) });
      res.end(req.method === 'HEAD' ? undefined : file.body);
      return true;
    },
  };
}
