import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ScenarioResult } from './scenarios/common.ts';

/**
 * `--baseline DIR`: the runs again against another checkout's built `parley` (an
 * older commit in a worktree, after its `npm ci`), interleaved round by round with this one, so a
 * change is judged by a ratio measured side by side rather than against numbers from another day.
 */
export function baselineBin(dir: string): string {
  const bin = join(resolve(dir), 'packages', 'cli', 'bin', 'parley.js');
  if (!existsSync(bin)) throw new Error(`--baseline: no ${bin}; run npm ci (it builds the bundle) in that checkout first`);
  return bin;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** One row per scenario: medians of this checkout and of the baseline, and their ratio. */
/** A cluster run is told apart from the single-node run of its scenario by its nodes and store. */
const runKey = (r: ScenarioResult) => `${r.scenario} ${r.transport} ${r.codec}${r.store === 'postgres' ? ` ${r.nodes} node(s) postgres` : ''}`;

export function baselineTable(results: readonly (ScenarioResult & { side: 'now' | 'baseline' })[]): string {
  const keys = [...new Set(results.map(runKey))];
  const rows = keys.map((key) => {
    const of = (side: 'now' | 'baseline') => results.filter((r) => r.side === side && runKey(r) === key);
    const cpu = (side: 'now' | 'baseline') => median(of(side).map((r) => Number(r.serverCpuUsPerDelivery)));
    const rate = (side: 'now' | 'baseline') => Math.round(median(of(side).map((r) => Number(r.deliveriesPerSec))));
    const p99 = (side: 'now' | 'baseline') => median(of(side).map((r) => Number(r.p99Ms))).toFixed(1);
    const ratio = cpu('baseline') / cpu('now');
    return `| ${key} | ${of('now').length} | ${cpu('now').toFixed(3)} | ${cpu('baseline').toFixed(3)} | ${ratio.toFixed(2)} | ${rate('now')} | ${rate('baseline')} | ${p99('now')} | ${p99('baseline')} |`;
  });
  return [
    '| scenario | rounds | now CPU µs/delivery | baseline CPU µs/delivery | baseline ÷ now | now deliveries/s | baseline deliveries/s | now p99 ms | baseline p99 ms |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
