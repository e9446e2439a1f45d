// Bundles the `parley` command into lib/ (run by `npm install` through the root postinstall).
//
// Why a bundle and not per-file JavaScript: start-up time is module loading. Compiled file by
// file (tsc), importing @parley/server alone took ~0.65 s on this project's 2-core machine: 476
// ES modules (kysely 262, zod 95) before the CommonJS ones; ink pulls 415 files of es-toolkit.
// Bundled, `parley serve` listens in ~0.4 s. Commands are split into chunks, so `parley version`
// loads none of the server (~0.12 s).
import { readFile, rm } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const CLI_DIR = fileURLToPath(new URL('.', import.meta.url));
const OUT_DIR = fileURLToPath(new URL('./lib/', import.meta.url));

// Left to Node at run time: native add-ons (loaded through a platform-specific require), optional
// add-ons that are not installed (ws and ink try them and carry on), pino, whose transports
// start worker threads from files beside its own, and selfsigned, which the server imports
// lazily (first start only) and whose CommonJS exports esbuild's split chunks would hide
// behind `default`.
const EXTERNAL = ['better-sqlite3', '@node-rs/argon2', 'msgpackr', 'pino', 'selfsigned', 'bufferutil', 'utf-8-validate', 'react-devtools-core'];

/**
 * Keeps `import.meta.url` meaning the file a module was written in, so code that reads files
 * beside itself (server.ts reads ../package.json for its version, static-files.ts finds the
 * web client) finds the same files from the bundle as from the sources. Every output file sits
 * in OUT_DIR (no chunk subfolders), so one relative URL per module is right for any chunk.
 */
const sourceImportMetaUrl: Plugin = {
  name: 'source-import-meta-url',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.(m?js|tsx?)$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const url = `new URL(${JSON.stringify(relative(OUT_DIR, args.path))}, import.meta.url).href`;
      const loader = args.path.endsWith('.tsx') ? 'tsx' : args.path.endsWith('.ts') ? 'ts' : 'js';
      return { contents: text.replaceAll('import.meta.url', url), loader };
    });
  },
};

await rm(OUT_DIR, { recursive: true, force: true });
await build({
  entryPoints: { parley: 'src/main.ts' },
  absWorkingDir: CLI_DIR,
  outdir: OUT_DIR,
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: EXTERNAL,
  // Bundled CommonJS packages call require() for Node's built-ins; an ES module has none.
  banner: { js: "import { createRequire as parleyCreateRequire } from 'node:module'; const require = parleyCreateRequire(import.meta.url);" },
  plugins: [sourceImportMetaUrl],
  // React and ink pick their production builds (the development ones check and warn on every render).
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'none',
  logLevel: 'warning',
});
