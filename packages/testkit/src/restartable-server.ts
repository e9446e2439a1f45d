import { rmSync } from 'node:fs';
import { startTestServer, type TestServer } from './server-fixture.ts';

export interface RestartableServer {
  readonly server: TestServer;
  readonly ports: { tls: number; tcp: number; http: number };
  stop(): Promise<void>;
  /** Starts it again on the same data dir and ports, so clients reconnect to the same address. */
  start(): Promise<void>;
}

/** A test server that can be stopped and started again; `cleanups` (run after the test) stops it and removes its data. */
export async function restartableServer(cleanups: (() => unknown)[], settings: Parameters<typeof startTestServer>[0] = {}): Promise<RestartableServer> {
  let current = await startTestServer(settings);
  const ports = { tls: current.tlsPort, tcp: current.tcpPort, http: current.httpPort };
  const dataDir = current.dataDir;
  let running = true;
  cleanups.push(async () => {
    if (running) await current.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    get server(): TestServer {
      return current;
    },
    ports,
    async stop() {
      running = false;
      await current.stop();
    },
    async start() {
      const listen = { tcp: { listen: [`127.0.0.1:${ports.tls}`, `tcp://127.0.0.1:${ports.tcp}`] }, http: { listen: [`127.0.0.1:${ports.http}`] } };
      current = await startTestServer({ ...settings, data_dir: dataDir, ...listen });
      running = true;
    },
  };
}
