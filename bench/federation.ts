import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer, type SpawnedServer } from '@parley/testkit';

export interface BenchFederation {
  servers: SpawnedServer[];
  /** The fanout room as each server names it: `#bench` at its home (the first), `#bench@a.bench` elsewhere. */
  rooms: string[];
  stop(): Promise<void>;
}

const NAMES = ['a.bench', 'b.bench', 'c.bench', 'd.bench', 'e.bench'];

/**
 * `count` federated servers on SQLite, each linked to the first (a star around the room's
 * home), started like the single-node runs: the built bin, the bench limits, the same core.
 * Resolves once every server has a link to the home.
 */
export async function startBenchFederation(options: { count: number; env: Record<string, string>; prefix: string[]; built: boolean; bin?: string; nodeArgs?: string[] }): Promise<BenchFederation> {
  const dirs: string[] = [];
  const servers: SpawnedServer[] = [];
  const stop = async () => {
    for (const server of servers) {
      server.kill('SIGTERM');
      await server.exited;
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < options.count; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-fed-'));
      dirs.push(dataDir);
      const home = servers[0];
      servers.push(
        await spawnServer({
          dataDir,
          tls: true,
          built: options.built,
          ...(options.bin ? { bin: options.bin } : {}),
          prefix: options.prefix,
          nodeArgs: options.nodeArgs ?? [],
          env: {
            ...options.env,
            PARLEY_SERVER_NAME: NAMES[i]!,
            PARLEY_FEDERATION_ENABLED: 'true',
            PARLEY_FEDERATION_LISTEN: '127.0.0.1:0',
            // Joins of hundreds of receivers come over one link at once.
            PARLEY_FEDERATION_FRAMES_PER_SECOND: '1000000',
            ...(home ? { PARLEY_FEDERATION_PEERS: `127.0.0.1:${home.fedPort}` } : {}),
          },
        }),
      );
    }
    await Promise.all(servers.slice(1).map((server) => linkedToHome(server)));
    return { servers, rooms: servers.map((_, i) => (i === 0 ? '#bench' : `#bench@${NAMES[0]}`)), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function linkedToHome(server: SpawnedServer): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const health = (await (await fetch(`http://127.0.0.1:${server.httpPort}/healthz`)).json()) as { federation?: { peers: { name: string; linked: boolean }[] } };
    if (health.federation?.peers.some((p) => p.name === NAMES[0] && p.linked)) return;
    if (Date.now() > deadline) throw new Error(`bench: ${server.serverId} did not link to the home in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
