import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer, type SpawnedServer } from '../src/index.ts';

/**
 * `parley serve` as a process, for the test files that drive real processes (chat --plain, the
 * web client across a restart). Everything is undone by the test's `cleanups`, which the file
 * runs after each test, newest first (`runCleanups`).
 */
export type Cleanups = (() => unknown)[];

export async function runCleanups(cleanups: Cleanups): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/** A fresh directory, removed with everything in it after the test. */
export function tempDir(cleanups: Cleanups, prefix = 'parley-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Ports free right now (held together, so they differ), for a server restarted on the same ones. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** A spawned server that is killed after the test if it still runs. */
export async function serverProcess(cleanups: Cleanups, options: Parameters<typeof spawnServer>[0]): Promise<SpawnedServer> {
  const started = await spawnServer(options);
  cleanups.push(async () => {
    if (started.process.exitCode === null && started.process.signalCode === null) started.kill('SIGKILL');
    await started.exited;
  });
  return started;
}

export interface RestartableProcess {
  readonly dataDir: string;
  /** The TLS port, with `tls`; otherwise undefined. */
  readonly tlsPort: number | undefined;
  readonly tcpPort: number;
  readonly httpPort: number;
  /** Starts a server process on the data dir and ports; the test stops it with `kill`. */
  start(): Promise<SpawnedServer>;
}

/**
 * A server process that a test can kill and start again on the same data dir and fixed ports
 * (plain TCP, HTTP and, with `tls`, TLS), so clients find it again at the same address.
 */
export async function restartableProcess(cleanups: Cleanups, options: { tls?: boolean; env?: Record<string, string> } = {}): Promise<RestartableProcess> {
  const dataDir = tempDir(cleanups, 'parley-restart-');
  const [tcpPort = 0, httpPort = 0, tlsPort] = await freePorts(options.tls ? 3 : 2);
  const tcp = tlsPort === undefined ? `tcp://127.0.0.1:${tcpPort}` : `127.0.0.1:${tlsPort},tcp://127.0.0.1:${tcpPort}`;
  // spawnServer passes --tcp/--http for port 0 first; later flags win with parseArgs.
  const args = ['--tcp', tcp, '--http', `127.0.0.1:${httpPort}`];
  const env = options.env;
  return { dataDir, tlsPort, tcpPort, httpPort, start: () => serverProcess(cleanups, { dataDir, args, ...(env ? { env } : {}) }) };
}
