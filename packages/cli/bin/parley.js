#!/usr/bin/env node
// Runs the bundle that `npm install` builds into lib/ (packages/cli/build.ts); bin/parley-dev.js
// runs the TypeScript sources instead.
import module from 'node:module';

// Node 22.1+ keeps V8's compiled code for the bundle between runs; Node 20 has no such cache.
module.enableCompileCache?.();
let main;
try {
  ({ main } = await import('../lib/parley.js'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('/lib/parley.js')) throw error;
  process.stderr.write('parley: not built yet; run `npm run build` (npm install does it), or `npm run dev -- <command>` for the sources\n');
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
