import { Phase, rssBytes } from '../proc.ts';
import { closeAll, openGuests, round, sleep, type ScenarioConfig, type ScenarioResult } from './common.ts';

const ROOMS = 100;

/** 10,000 logged-in, idle connections over 100 rooms: the server's resident memory per connection. */
export async function idle(config: ScenarioConfig): Promise<ScenarioResult> {
  const count = config.quick ? 2000 : 10_000;
  // A few connections first, so one-time allocations (first TLS session, first room) are in the baseline.
  const warm = await openGuests(config, 10, 'w', (i) => `#idle${i % ROOMS}`);
  await sleep(500);
  const before = rssBytes(config.serverPid);
  const phase = new Phase(config.serverPid);
  const connections = await openGuests(config, count, 'i', (i) => `#idle${i % ROOMS}`);
  const { wallMs, cpuUs } = phase.end();
  // Let the server finish its turn and the allocator settle before reading RSS.
  await sleep(2000);
  const after = rssBytes(config.serverPid);
  closeAll([...warm, ...connections]);
  return {
    scenario: 'idle',
    transport: config.transport,
    codec: config.codec,
    connections: count,
    rooms: ROOMS,
    rssBeforeMiB: round(before / 2 ** 20, 1),
    rssAfterMiB: round(after / 2 ** 20, 1),
    rssBytesPerConnection: Math.round((after - before) / count),
    serverCpuUsPerConnect: round(cpuUs / count, 1),
    connectsPerSec: Math.round(count / (wallMs / 1000)),
  };
}
