import type { ScenarioResult } from './scenarios/common.ts';

/**
 * The fanout comparison repeated in interleaved rounds (Parley, nats-server, InspIRCd, then again):
 * single runs on this shared machine differ by 10-25 %, as much as the servers differ from each
 * other, so a claim of faster needs the median of several runs taken side by side.
 */
export interface HeadToHeadRow {
  system: string;
  runs: number;
  medianCpuUs: number;
  minCpuUs: number;
  maxCpuUs: number;
  medianDeliveriesPerSec: number;
  medianP99Ms: number;
  /** Parley's median CPU per delivery divided by this system's. */
  parleyRatio: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round3 = (value: number) => Number(value.toFixed(3));

/** One row per system, Parley first, from every round's fanout results. */
export function summarizeHeadToHead(results: readonly ScenarioResult[]): HeadToHeadRow[] {
  const bySystem = new Map<string, ScenarioResult[]>();
  for (const result of results) {
    const system = String(result.system ?? 'parley');
    bySystem.set(system, [...(bySystem.get(system) ?? []), result]);
  }
  const cpu = (rows: ScenarioResult[]) => rows.map((r) => Number(r.serverCpuUsPerDelivery));
  const parley = median(cpu(bySystem.get('parley') ?? []));
  return [...bySystem].map(([system, rows]) => {
    const cpuUs = cpu(rows);
    const medianCpuUs = median(cpuUs);
    return {
      system,
      runs: rows.length,
      medianCpuUs: round3(medianCpuUs),
      minCpuUs: round3(Math.min(...cpuUs)),
      maxCpuUs: round3(Math.max(...cpuUs)),
      medianDeliveriesPerSec: Math.round(median(rows.map((r) => Number(r.deliveriesPerSec)))),
      medianP99Ms: Number(median(rows.map((r) => Number(r.p99Ms))).toFixed(1)),
      parleyRatio: Number((parley / medianCpuUs).toFixed(2)),
    };
  });
}

export function headToHeadTable(rows: readonly HeadToHeadRow[]): string {
  return [
    '| server | runs | median server CPU µs/delivery | min–max | median deliveries/s | median p99 ms | Parley ÷ this (CPU) |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.system} | ${r.runs} | ${r.medianCpuUs} | ${r.minCpuUs}–${r.maxCpuUs} | ${r.medianDeliveriesPerSec} | ${r.medianP99Ms} | ${r.parleyRatio} |`),
  ].join('\n');
}
