import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PARLEY_BUILT_BIN, spawnServer } from '@parley/testkit';
import { median } from '../head-to-head.ts';
import { round } from './common.ts';

/** Start-up time of the built `parley` command (what `npm start` runs), medians in ms. */
export interface StartupResult {
  scenario: 'startup';
  runs: number;
  /** `parley version` until it exits. */
  versionMs: number;
  /** `parley serve` until it is listening (startup banner printed), data dir from an earlier start. */
  serveMs: number;
  /** The same with a new data dir: the first start also creates the database and a TLS certificate. */
  serveFirstStartMs: number;
  [metric: string]: string | number | boolean;
}

const CLI_DIR = new URL('../../packages/cli/', import.meta.url);

async function timeVersion(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [PARLEY_BUILT_BIN, 'version'], { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`parley version exited with ${code}`);
  return performance.now() - started;
}

/** From spawning `parley serve` (TLS, TCP and HTTP listeners, as by default) to its banner. */
async function timeServe(dataDir: string): Promise<number> {
  const started = performance.now();
  const server = await spawnServer({ dataDir, tls: true, built: true });
  const elapsed = performance.now() - started;
  server.kill('SIGTERM');
  await server.exited;
  return elapsed;
}

async function repeat(runs: number, measure: () => Promise<number>): Promise<number> {
  await measure(); // untimed: the first run after a build reads the files from disk
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await measure());
  return round(median(times), 0);
}

/**
 * Not pinned to a core, unlike the servers of the other scenarios: a start leans on Node's
 * background threads (compilation, GC), as it does wherever parley is started.
 */
export async function startup(options: { quick: boolean }): Promise<StartupResult> {
  // Today's sources, bundled as `npm install` does, so the numbers are of this code.
  execFileSync(process.execPath, ['--import', 'tsx', 'build.ts'], { cwd: CLI_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
  const runs = options.quick ? 5 : 11;
  const dirs: string[] = [];
  const newDir = () => {
    dirs.push(mkdtempSync(join(tmpdir(), 'parley-bench-startup-')));
    return dirs.at(-1)!;
  };
  try {
    const versionMs = await repeat(runs, timeVersion);
    const kept = newDir();
    const serveMs = await repeat(runs, () => timeServe(kept));
    const serveFirstStartMs = await repeat(runs, () => timeServe(newDir()));
    return { scenario: 'startup', runs, versionMs, serveMs, serveFirstStartMs };
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
