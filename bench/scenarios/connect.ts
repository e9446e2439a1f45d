import { closeAll, openGuests, round, startPhase, type ScenarioConfig, type ScenarioResult } from './common.ts';

/** Server CPU per connect + hello + guest login + join (no password hashing), new connections only. */
export async function connect(config: ScenarioConfig): Promise<ScenarioResult> {
  const count = config.quick ? 500 : 3000;
  const warm = await openGuests(config, 50, { prefix: 'w', room: (i) => `#c${i % 50}` });
  const phase = await startPhase(config);
  const connections = await openGuests(config, count, { prefix: 'c', room: (i) => `#c${i % 50}` });
  const { wallMs, cpuUs } = await phase.end();
  closeAll([...warm, ...connections]);
  return {
    scenario: 'connect',
    transport: config.transport,
    codec: config.codec,
    connections: count,
    serverCpuUsPerConnect: round(cpuUs / count, 1),
    connectsPerSec: Math.round(count / (wallMs / 1000)),
  };
}
