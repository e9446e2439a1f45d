import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { precompress } from './precompress.ts';

// The server serves dist/ at "/" under a CSP without 'unsafe-inline': nothing may be inlined
// into index.html, and files under assets/ carry content hashes (cached as immutable).
export default defineConfig({
  plugins: [preact(), precompress()],
  // The confusables table behind name keys (@parley/protocol, via unhomoglyph) is a 6,300-key
  // JSON file: as one JSON.parse string it adds 30 KB gzipped to the client, as named exports 63 KB.
  json: { stringify: true, namedExports: false },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    reportCompressedSize: false,
  },
});
