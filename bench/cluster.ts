import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, spawnServer, TEST_NATS_URL, TEST_POSTGRES_URL, type SpawnedServer } from '@parley/testkit';

export interface BenchCluster {
  nodes: SpawnedServer[];
  stop(): Promise<void>;
}

/**
 * `count` nodes of one server on the machine's PostgreSQL (a fresh schema) and NATS (a subject
 * prefix of their own), started like the single-node runs: the built bin, the bench limits, the
 * same core for every node.
 */
export async function startBenchCluster(options: {
  count: number;
  env: Record<string, string>;
  prefix: string[];
  built: boolean;
  /** Another checkout's built bin (`--baseline`). */
  bin?: string;
  nodeArgs?: string[];
}): Promise<BenchCluster> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const dirs: string[] = [];
  const nodes: SpawnedServer[] = [];
  const stop = async () => {
    for (const node of nodes) {
      node.kill('SIGTERM');
      await node.exited;
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await dropSchema(TEST_POSTGRES_URL, schema);
  };
  try {
    for (let i = 0; i < options.count; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-node-'));
      dirs.push(dataDir);
      nodes.push(
        await spawnServer({
          dataDir,
          tls: true,
          built: options.built,
          ...(options.bin ? { bin: options.bin } : {}),
          prefix: options.prefix,
          nodeArgs: options.nodeArgs ?? [],
          env: {
            ...options.env,
            PARLEY_STORE: 'postgres',
            PARLEY_STORE_URL: TEST_POSTGRES_URL,
            PARLEY_POSTGRES_SCHEMA: schema,
            PARLEY_BUS: options.count > 1 ? 'nats' : 'local',
            PARLEY_NATS_URL: TEST_NATS_URL,
            PARLEY_NATS_SUBJECT_PREFIX: schema,
            PARLEY_NODE_ID: `bench${i + 1}`,
          },
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, stop };
}
