#!/usr/bin/env node
// `parley` from the TypeScript sources, for development and tests (`npm run dev -- serve`):
// tsx compiles each file on load (~1.5 s per start), so a change needs no rebuild.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The workspace's tsconfig (JSX settings for the terminal UI) wherever parley is started from:
// tsx would otherwise look for one in the working directory.
register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
