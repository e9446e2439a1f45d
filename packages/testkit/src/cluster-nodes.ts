import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { dropSchema, TEST_POSTGRES_URL } from './postgres-scratch.ts';
import { spawnServer, type SpawnedServer } from './spawn-server.ts';

/** The machine's NATS, as the tests and `.ci/run` expect it (PostgreSQL: postgres-scratch.ts). */
export const TEST_NATS_URL = process.env.PARLEY_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export interface ClusterNode extends SpawnedServer {
  id: string;
  dataDir: string;
}

export interface TestCluster {
  nodes: ClusterNode[];
  /** The PostgreSQL schema and NATS subject prefix this cluster has to itself. */
  schema: string;
  /** Starts node `i` again (same id and data dir) after it stopped or was killed. */
  restart(i: number, env?: Record<string, string>): Promise<ClusterNode>;
  /** Starts one more node. */
  add(env?: Record<string, string>): Promise<ClusterNode>;
  /** Stops every node and drops the schema. */
  stop(): Promise<void>;
}

/**
 * Real `parley serve` processes, each a node of one cluster: a fresh schema of the machine's
 * PostgreSQL as the store and the machine's NATS (under a subject prefix of this cluster's own)
 * as the bus. Heartbeats and checks are fast so tests see node failures within a second or two.
 */
export async function startTestCluster(options: { nodes: number; env?: Record<string, string>; natsUrl?: string; postgresUrl?: string }): Promise<TestCluster> {
  const schema = `c_${randomBytes(6).toString('hex')}`;
  const nodes: ClusterNode[] = [];
  const dirs: string[] = [];
  const envFor = (id: string, extra: Record<string, string> = {}): Record<string, string> => ({
    PARLEY_STORE: 'postgres',
    PARLEY_STORE_URL: options.postgresUrl ?? TEST_POSTGRES_URL,
    PARLEY_POSTGRES_SCHEMA: schema,
    PARLEY_POSTGRES_POOL_SIZE: '4',
    PARLEY_BUS: 'nats',
    PARLEY_NATS_URL: options.natsUrl ?? TEST_NATS_URL,
    PARLEY_NATS_SUBJECT_PREFIX: schema,
    PARLEY_NODE_ID: id,
    PARLEY_CLUSTER_HEARTBEAT_MS: '200',
    PARLEY_CLUSTER_NODE_TIMEOUT_MS: '1500',
    PARLEY_CLUSTER_TAIL_CHECK_MS: '500',
    PARLEY_LIMITS_MESSAGES_PER_MINUTE: '60000',
    PARLEY_LIMITS_MESSAGE_BURST: '5000',
    PARLEY_MODERATION_SYNC_INTERVAL_MS: '500',
    ...options.env,
    ...extra,
  });
  const launch = async (i: number, env?: Record<string, string>): Promise<ClusterNode> => {
    const id = `n${i + 1}`;
    const dataDir = (dirs[i] ??= mkdtempSync(join(tmpdir(), `parley-${id}-`)));
    const spawned = await spawnServer({ dataDir, tls: true, env: envFor(id, env) });
    const node = { ...spawned, id, dataDir };
    nodes[i] = node;
    return node;
  };
  const cluster: TestCluster = {
    nodes,
    schema,
    restart: launch,
    add: (env) => launch(nodes.length, env),
    async stop() {
      for (const node of nodes) {
        node.kill('SIGKILL');
        await node.exited;
      }
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      await dropSchema(options.postgresUrl ?? TEST_POSTGRES_URL, schema).catch(() => undefined);
    },
  };
  try {
    // One after another: the first migrates the schema, the others find it ready.
    for (let i = 0; i < options.nodes; i++) await launch(i);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
