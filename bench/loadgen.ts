import type { ScenarioConfig, ScenarioResult } from './scenarios/common.ts';
import { connect } from './scenarios/connect.ts';
import { dm } from './scenarios/dm.ts';
import { fanout } from './scenarios/fanout.ts';
import { idle } from './scenarios/idle.ts';

/**
 * The load generator process: runs one scenario against a running server and prints its result
 * as one JSON line. Started by bench/run.ts, pinned to its own core where possible.
 */
const SCENARIOS: Record<string, (config: ScenarioConfig) => Promise<ScenarioResult>> = { fanout, dm, idle, connect };

const config = JSON.parse(process.argv[2] ?? '{}') as ScenarioConfig;
const run = SCENARIOS[config.scenario];
if (!run) {
  console.error(`unknown scenario ${config.scenario}`);
  process.exit(2);
}
try {
  const result = await run(config);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
