#!/usr/bin/env node
// `parley` from the TypeScript sources, for development and tests (`npm run dev -- serve`):
// tsx compiles each file on load (~1.5 s per start), so a change needs no rebuild.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
