import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnServer } from '@parley/testkit';
import { inspectorUrl } from './inspector.ts';
import { inspircdAvailable, natsAvailable, startInspircd, startNats } from './systems.ts';
import { headToHeadTable, summarizeHeadToHead } from './head-to-head.ts';
import { writeBenchmarksDoc } from './report.ts';
import { startBenchCluster } from './cluster.ts';
import { startBenchFederation } from './federation.ts';
import { baselineBin, baselineTable } from './baseline.ts';
import type { ScenarioResult } from './scenarios/common.ts';
import { startup, type StartupResult } from './scenarios/startup.ts';
import type { BenchCodec, BenchTransport } from './wire.ts';

/**
 * `npm run bench [-- --quick] [--only fanout,dm] [--transport tcp,tls]` (`--only e2e` for the end-to-end runs, `--only compression` for the compressed fanout beside the plain one, `--only cluster` for
 * the cluster runs, `--only federation` for the federated fanout, `--only cluster-dm` for one scenario of them, `--nodes 2` for one size): starts the real server
 * (`parley serve`) for each run with limits raised through documented configuration, runs the
 * load generator in its own process, prints one JSON line per run, and (full run, no filters)
 * rewrites the results table in docs/benchmarks.md. The `startup` scenario times the built
 * `parley` command itself (no load generator; `--transport` does not apply to it).
 */
interface Run {
  scenario: string;
  transport: BenchTransport;
  codec: BenchCodec;
  system?: 'parley' | 'nats' | 'inspircd';
  /** A cluster run: this many Parley nodes on PostgreSQL (and NATS between them when more than one). */
  nodes?: number;
  /** A federated run: this many independent servers (SQLite each) linked to the room's home. */
  servers?: number;
  /** Every client asks for compression at hello (docs/protocol.md, "Compression"). */
  compress?: boolean;
}

/**
 * The fanout with every client asking for compression, run right after the same fanout
 * without: what a deflate stream per connection costs the server per delivery (it cannot share
 * one encoded buffer between recipients' wire bytes) and what it saves on the wire. `--only
 * compression` runs the two.
 */
const COMPRESSED_FANOUT: Run = { scenario: 'fanout', transport: 'tcp', codec: 'json', compress: true };
const isCompressionPair = (r: Run) =>
  r.compress === true || (r.scenario === 'fanout' && r.transport === 'tcp' && r.codec === 'json' && r.system === undefined && r.nodes === undefined && r.servers === undefined);

/**
 * Beside the single-node figures: the fanout and durable DMs on PostgreSQL, each on one node
 * and over two (the fanout's receivers spread over both, the two of each DM pair on different
 * nodes), so what the store costs and what the second node and NATS add read apart.
 */
const CLUSTER: Run[] = [
  { scenario: 'fanout', transport: 'tcp', codec: 'json', nodes: 1 },
  { scenario: 'fanout', transport: 'tcp', codec: 'json', nodes: 2 },
  { scenario: 'dm', transport: 'tcp', codec: 'json', nodes: 1 },
  { scenario: 'dm', transport: 'tcp', codec: 'json', nodes: 2 },
];

/**
 * The fanout with its room homed on one server and its receivers spread over three federated
 * servers (each with its own SQLite, linked to the home): what the links, the sealing (two
 * signatures per message) and the mirrors' verifying and storing cost beside one server.
 */
const FEDERATED: Run[] = [{ scenario: 'fanout', transport: 'tcp', codec: 'json', servers: 3 }];

/** The same fanout against nats-server and InspIRCd, measured in the same run (each skipped when not installed). */
const COMPARISON: Run[] = [
  ...(natsAvailable() ? [{ scenario: 'fanout', transport: 'tcp', codec: 'json', system: 'nats' } as const] : []),
  ...(inspircdAvailable() ? [{ scenario: 'fanout', transport: 'tcp', codec: 'json', system: 'inspircd' } as const] : []),
];

const FULL: Run[] = [
  { scenario: 'fanout', transport: 'tcp', codec: 'json' },
  COMPRESSED_FANOUT,
  { scenario: 'fanout', transport: 'tcp', codec: 'msgpack' },
  { scenario: 'fanout', transport: 'tls', codec: 'json' },
  { scenario: 'fanout', transport: 'tls', codec: 'msgpack' },
  { scenario: 'fanout', transport: 'ws', codec: 'json' },
  { scenario: 'fanout', transport: 'ws', codec: 'msgpack' },
  { scenario: 'dm', transport: 'tcp', codec: 'json' },
  { scenario: 'dm', transport: 'tls', codec: 'json' },
  { scenario: 'dm', transport: 'ws', codec: 'msgpack' },
  { scenario: 'idle', transport: 'tcp', codec: 'json' },
  { scenario: 'idle', transport: 'tls', codec: 'json' },
  { scenario: 'idle', transport: 'ws', codec: 'json' },
  { scenario: 'connect', transport: 'tcp', codec: 'json' },
  { scenario: 'connect', transport: 'tls', codec: 'json' },
  { scenario: 'connect', transport: 'ws', codec: 'json' },
];

const QUICK: Run[] = [
  { scenario: 'fanout', transport: 'tcp', codec: 'json' },
  // Only with --only compression: a quick run stays under a minute.
  COMPRESSED_FANOUT,
  { scenario: 'fanout', transport: 'tls', codec: 'msgpack' },
  { scenario: 'fanout', transport: 'ws', codec: 'json' },
  { scenario: 'dm', transport: 'tcp', codec: 'json' },
  { scenario: 'idle', transport: 'tcp', codec: 'json' },
  { scenario: 'connect', transport: 'tls', codec: 'json' },
];

/** Documented configuration keys (docs/configuration.md) raised so the load is not refused. */
export const BENCH_SERVER_ENV: Record<string, string> = {
  PARLEY_LOG_LEVEL: 'warn',
  PARLEY_ROOMS_DEFAULT: '',
  PARLEY_LIMITS_MESSAGES_PER_MINUTE: '100000000',
  PARLEY_LIMITS_MESSAGE_BURST: '1000000',
  PARLEY_LIMITS_MAX_CONNECTIONS: '19000',
  PARLEY_LIMITS_MAX_CONNECTIONS_PER_IP: '19000',
  PARLEY_LIMITS_JOINS_PER_MINUTE: '100000000',
  PARLEY_LIMITS_JOIN_BURST: '1000000',
  PARLEY_LIMITS_COMMANDS_PER_MINUTE_PER_CONNECTION: '100000000',
  PARLEY_LIMITS_COMMAND_BURST_PER_CONNECTION: '1000000',
};

const LOADGEN = fileURLToPath(new URL('./loadgen.ts', import.meta.url));
const pinned = availableParallelism() >= 2 && (await commandExists('taskset'));

async function commandExists(command: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

async function runLoadgen(config: object): Promise<ScenarioResult> {
  const [command, ...args] = [...(pinned ? ['taskset', '-c', '1'] : []), process.execPath, '--import', 'tsx', LOADGEN, JSON.stringify(config)];
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`load generator exited with ${code} for ${JSON.stringify(config).slice(0, 120)}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as ScenarioResult;
}

async function runComparison(run: Run, quick: boolean): Promise<ScenarioResult> {
  const prefix = pinned ? ['taskset', '-c', '0'] : [];
  const server = run.system === 'inspircd' ? await startInspircd(prefix) : await startNats(prefix);
  try {
    return await runLoadgen({ ...run, quick, serverPid: server.pid, endpoint: { tcpPort: server.port, tlsPort: 0, httpPort: 0 } });
  } finally {
    await server.stop();
  }
}

async function runCluster(run: Run & { nodes: number }, quick: boolean, bin?: string): Promise<ScenarioResult> {
  const cluster = await startBenchCluster({
    count: run.nodes,
    env: BENCH_SERVER_ENV,
    prefix: pinned ? ['taskset', '-c', '0'] : [],
    built: !values.sources,
    ...(bin ? { bin } : {}),
    nodeArgs: profileDir ? ['--inspect=127.0.0.1:0'] : [],
  });
  try {
    const endpoints = cluster.nodes.map((node) => ({ tcpPort: node.tcpPort, tlsPort: node.tlsPort!, httpPort: node.httpPort }));
    // --profile: one profile per node, `<scenario>-<transport>-<codec>-<nodes>n-node<i>.cpuprofile`.
    const profiles = profileDir
      ? cluster.nodes.map((node, i) => ({ inspectorUrl: inspectorUrl(node.stderr())!, profileFile: join(profileDir, `${run.scenario}-${run.transport}-${run.codec}-${run.nodes}n-node${i + 1}.cpuprofile`) }))
      : undefined;
    const result = await runLoadgen({
      ...run,
      quick,
      serverPid: cluster.nodes[0]!.process.pid!,
      serverPids: cluster.nodes.map((n) => n.process.pid!),
      endpoint: endpoints[0],
      endpoints,
      ...(profiles ? { profiles } : {}),
    });
    return { ...result, nodes: run.nodes, store: 'postgres', bus: run.nodes > 1 ? 'nats' : 'local' };
  } finally {
    await cluster.stop();
  }
}

async function runFederated(run: Run & { servers: number }, quick: boolean, bin?: string): Promise<ScenarioResult> {
  // --profile: each server writes its own V8 CPU profile of the whole run into that directory when it exits.
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const federation = await startBenchFederation({ count: run.servers, env: BENCH_SERVER_ENV, prefix: pinned ? ['taskset', '-c', '0'] : [], built: !values.sources, nodeArgs, ...(bin ? { bin } : {}) });
  try {
    const endpoints = federation.servers.map((s) => ({ tcpPort: s.tcpPort, tlsPort: s.tlsPort!, httpPort: s.httpPort }));
    const result = await runLoadgen({
      ...run,
      quick,
      serverPid: federation.servers[0]!.process.pid!,
      serverPids: federation.servers.map((s) => s.process.pid!),
      endpoint: endpoints[0],
      endpoints,
      rooms: federation.rooms,
    });
    return { ...result, nodes: run.servers, store: 'sqlite', bus: 'federation' };
  } finally {
    await federation.stop();
  }
}

async function runOne(run: Run, quick: boolean, bin?: string): Promise<ScenarioResult> {
  if (run.system && run.system !== 'parley') return runComparison(run, quick);
  if (run.servers !== undefined) return runFederated({ ...run, servers: run.servers }, quick, bin);
  if (run.nodes !== undefined) return runCluster({ ...run, nodes: run.nodes }, quick, bin);
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const server = await spawnServer({
    dataDir,
    tls: true,
    // What `npm start` runs: the bundle `npm install` builds (run `npm run build` after a change).
    built: !values.sources,
    ...(bin ? { bin } : {}),
    env: BENCH_SERVER_ENV,
    prefix: pinned ? ['taskset', '-c', '0'] : [],
    // The inspector: the idle scenario collects garbage through it, --profile records the phase.
    nodeArgs: run.scenario === 'idle' || profileDir ? ['--inspect=127.0.0.1:0'] : [],
  });
  try {
    const config = {
      ...run,
      quick,
      serverPid: server.process.pid!,
      inspectorUrl: inspectorUrl(server.stderr()),
      ...(profileDir ? { profileFile: join(profileDir, `${run.scenario}-${run.transport}-${run.codec}${run.compress ? '-deflate' : ''}.cpuprofile`) } : {}),
      endpoint: { tcpPort: server.tcpPort, tlsPort: server.tlsPort!, httpPort: server.httpPort },
    };
    return { ...(await runLoadgen(config)), nodes: 1, store: 'sqlite', bus: 'local' };
  } finally {
    server.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    /** Interleaved rounds of the fanout comparison (Parley, nats-server, InspIRCd), reported as medians. */
    rounds: { type: 'string' },
    only: { type: 'string' },
    /** Also run the side-by-side comparisons in a quick run. */
    compare: { type: 'boolean', default: false },
    transport: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    /** Writes a V8 CPU profile of the server over each measured phase into this directory. */
    profile: { type: 'string' },
    /** Runs the server from its TypeScript sources (tsx) instead of the bundle: tells a code change from a bundling one. */
    sources: { type: 'boolean', default: false },
    /** Another checkout (built): its runs interleaved with this one's, as ratios; writes nothing (cluster runs with `--only cluster`). */
    baseline: { type: 'string' },
    /** With `--only cluster`: only the cluster runs of this many nodes (`--nodes 2`). */
    nodes: { type: 'string' },
  },
});
const profileDir = values.profile;
const only = values.only?.split(',');
const transports = values.transport?.split(',');
// `--only cluster` picks the cluster runs; `--only dm` picks the single-node dm runs.
const nodeCounts = values.nodes?.split(',').map(Number);
const selected = (r: Run) =>
  (!only ||
    (r.servers !== undefined ? only.includes('federation') : only.includes(r.nodes === undefined ? r.scenario : 'cluster') || (r.nodes !== undefined && only.includes(`cluster-${r.scenario}`))) ||
    (only.includes('compression') && isCompressionPair(r))) &&
  (!transports || transports.includes(r.transport)) &&
  (!nodeCounts || r.nodes === undefined || nodeCounts.includes(r.nodes));
const compare = COMPARISON.length > 0 && (!values.quick || values.compare);
const rounds = compare ? Number(values.rounds ?? (values.quick ? 1 : 3)) : 0;
const PARLEY_FANOUT: Run = { scenario: 'fanout', transport: 'tcp', codec: 'json' };
const headToHeadRuns: Run[] = [PARLEY_FANOUT, ...COMPARISON].filter(selected);
const runs = [...(values.quick ? QUICK : FULL), ...CLUSTER, ...FEDERATED].filter(
  (r) =>
    selected(r) &&
    (r.nodes === undefined || !values.quick || only?.some((o) => o === 'cluster' || o.startsWith('cluster-'))) &&
    (r.servers === undefined || !values.quick || only?.includes('federation')) &&
    (!r.compress || !values.quick || only?.includes('compression')),
);
if (values.baseline) {
  const bin = baselineBin(values.baseline);
  const pairs: (ScenarioResult & { side: 'now' | 'baseline' })[] = [];
  // The cluster runs only when asked for (`--only cluster`): the baseline's nodes on the same PostgreSQL and NATS.
  const compared = runs.filter((r) => r.scenario !== 'idle' && (r.nodes === undefined || only?.some((o) => o.startsWith('cluster'))));
  for (let round = 1; round <= Number(values.rounds ?? 3); round++) {
    for (const run of compared) {
      // Alternating which goes first, so neither always runs on the warmer machine.
      const order = round % 2 ? (['now', 'baseline'] as const) : (['baseline', 'now'] as const);
      for (const side of order) {
        const result = { ...(await runOne(run, values.quick, side === 'baseline' ? bin : undefined)), side, round };
        pairs.push(result);
        process.stdout.write(`${JSON.stringify(result)}\n`);
      }
    }
  }
  console.error(`bench: this checkout against ${values.baseline}, medians of ${values.rounds ?? 3} interleaved rounds:\n${baselineTable(pairs)}`);
  process.exit(0);
}
const started = Date.now();
const results: ScenarioResult[] = [];
const headToHead: ScenarioResult[] = [];
let startupResult: StartupResult | undefined;
// First, before the load scenarios have warmed (or heated) the machine.
if (!only || only.includes('startup')) {
  startupResult = await startup({ quick: values.quick });
  process.stdout.write(`${JSON.stringify(startupResult)}\n`);
}
for (const run of runs) {
  const result = await runOne(run, values.quick);
  results.push(result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
// Parley runs again in every round rather than reusing the main pass's run: the first run of a
// session was repeatedly the slowest (0.36 against 0.29 µs), which would bias the median.
for (let round = 1; round <= rounds && headToHeadRuns.length > 1; round++) {
  for (const run of headToHeadRuns) {
    const result = { ...(await runOne(run, values.quick)), round };
    headToHead.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}
const total = runs.length + headToHead.length + (startupResult ? 1 : 0);
console.error(`bench: ${total} runs in ${((Date.now() - started) / 1000).toFixed(1)} s${pinned ? ' (server on core 0, load generator on core 1)' : ''}`);
if (headToHead.length > 0) console.error(`bench: head to head over ${rounds} round(s):\n${headToHeadTable(summarizeHeadToHead(headToHead))}`);
if (!values.quick && !only && !transports && !values['no-write'] && !profileDir) {
  const file = writeBenchmarksDoc(results, { pinned, command: 'npm run bench', startup: startupResult, headToHead: { rounds, rows: summarizeHeadToHead(headToHead) } });
  console.error(`bench: wrote ${file}`);
}
// End-to-end encryption's costs (bench/e2e/run-e2e.ts, its own section of docs/benchmarks.md):
// after the rest, in a process of its own (its SDK clients are the load generator).
if (!only || only.includes('e2e')) {
  const e2eArgs = [...(values.quick ? ['--quick'] : []), ...(values['no-write'] || only || transports || profileDir ? ['--no-write'] : [])];
  const e2e = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./e2e/run-e2e.ts', import.meta.url)), ...e2eArgs], { stdio: 'inherit' });
  if (e2e.status !== 0) throw new Error(`bench:e2e exited with ${e2e.status}`);
}
