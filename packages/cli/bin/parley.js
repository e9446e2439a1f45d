#!/usr/bin/env node
// Parley ships TypeScript sources; tsx compiles them on load so `npx parley` works with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
