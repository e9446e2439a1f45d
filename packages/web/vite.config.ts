import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The server serves dist/ at "/" under a CSP without 'unsafe-inline': nothing may be inlined
// into index.html, and files under assets/ carry content hashes (cached as immutable).
export default defineConfig({
  plugins: [preact()],
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
