import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameClient, PARLEY_BUILT_BIN, spawnServer, type SpawnedServer } from '../src/index.ts';

/**
 * The bundle that `npm install` builds and `npm start` runs (every other test runs the sources).
 * `npm test` builds it before the tests, so what passes here is today's code bundled; it is not
 * rebuilt here, where removing lib/ would break other test files using it at the same time.
 */
const run = promisify(execFile);
const version = (pkg: string) => JSON.parse(readFileSync(new URL(`../../${pkg}/package.json`, import.meta.url), 'utf8')).version as string;

describe('the built parley bin', () => {
  it('parley version prints the CLI package version', async () => {
    const { stdout } = await run(process.execPath, [PARLEY_BUILT_BIN, 'version']);
    expect(stdout).toBe(`${version('cli')}\n`);
  });

  describe('parley serve', () => {
    let dataDir: string;
    let server: SpawnedServer;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'parley-built-'));
      // TLS too: the first start makes a certificate, a path the bundle loads lazily.
      server = await spawnServer({ dataDir, tls: true, built: true });
    });
    afterAll(async () => {
      server?.kill();
      await server?.exited;
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('listens on TLS, TCP and HTTP and answers an account login with the server version', async () => {
      expect(server.tlsPort).toBeGreaterThan(0);
      const client = await FrameClient.open({ transport: 'tcp', codec: 'json', port: server.tcpPort }, false);
      try {
        // Read relative to server.ts, which the bundle must still find from lib/.
        expect(await client.ok('hello', { v: 1 })).toMatchObject({ version: version('server') });
        await client.ok('register', { name: 'builtbin', password: 'built-bin-password' });
      } finally {
        client.close();
      }
    });

    it('serves the web client at / (found beside the server package, as from the sources)', async () => {
      const response = await fetch(`http://127.0.0.1:${server.httpPort}/`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(readFileSync(new URL('../../web/dist/index.html', import.meta.url), 'utf8'));
      expect((await fetch(`http://127.0.0.1:${server.httpPort}/healthz`)).status).toBe(200);
    });
  });
});
