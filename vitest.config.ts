import { configDefaults, defineConfig } from 'vitest/config';

// `unit`: fast tests beside the code. A test that opens a socket or starts a server, a browser or
// tmux belongs in `integration`, even when it sits beside the code (static-files.test.ts serves
// over a loopback HTTP server), so `npm run test:unit` stays a few seconds.
const COLOCATED_SOCKET_TESTS = ['packages/server/src/transports/static-files.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real servers; two cores keep this at two workers.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts'], exclude: [...configDefaults.exclude, ...COLOCATED_SOCKET_TESTS] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['packages/*/test/**/*.test.ts', 'bench/**/*.test.ts', ...COLOCATED_SOCKET_TESTS] },
      },
    ],
  },
});
