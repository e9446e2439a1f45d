import { Inspector } from '../inspector.ts';
import { closeAll, openGuests, round, sleep, startPhase, type ScenarioConfig, type ScenarioResult } from './common.ts';

const ROOMS = 100;

/** 10,000 logged-in, idle connections over 100 rooms: the server's resident memory per connection. */
export async function idle(config: ScenarioConfig): Promise<ScenarioResult> {
  const count = config.quick ? 2000 : 10_000;
  if (!config.inspectorUrl) throw new Error('the idle scenario needs the server started with --inspect');
  const inspector = await Inspector.connect(config.inspectorUrl);
  // A few connections first, so one-time allocations (first TLS session, first room) are in the baseline.
  const warm = await openGuests(config, 10, { prefix: 'w', room: (i) => `#idle${i % ROOMS}` });
  await sleep(500);
  const before = await inspector.settledMemory();
  const phase = await startPhase(config);
  const connections = await openGuests(config, count, { prefix: 'i', room: (i) => `#idle${i % ROOMS}` });
  const { wallMs, cpuUs } = await phase.end();
  // Let the server finish its turn before collecting garbage and reading memory.
  await sleep(1000);
  const after = await inspector.settledMemory();
  inspector.close();
  closeAll([...warm, ...connections]);
  return {
    scenario: 'idle',
    transport: config.transport,
    codec: config.codec,
    connections: count,
    rooms: ROOMS,
    rssBeforeMiB: round(before.rss / 2 ** 20, 1),
    rssAfterMiB: round(after.rss / 2 ** 20, 1),
    rssBytesPerConnection: Math.round((after.rss - before.rss) / count),
    heapBytesPerConnection: Math.round((after.heapUsed - before.heapUsed) / count),
    externalBytesPerConnection: Math.round((after.external - before.external) / count),
    serverCpuUsPerConnect: round(cpuUs / count, 1),
    connectsPerSec: Math.round(count / (wallMs / 1000)),
  };
}
