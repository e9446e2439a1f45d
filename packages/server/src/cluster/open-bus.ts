import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Bus } from './bus.ts';
import { LocalBus } from './local-bus.ts';
import { openNatsBus } from './nats-bus.ts';

/** Opens the bus the configuration names, as node `nodeId`. */
export async function openConfiguredBus(config: Config, nodeId: string, log: Logger): Promise<Bus> {
  const onHandlerError = (err: unknown, topic: string) => log.error({ err, topic }, 'handling a bus payload failed');
  if (config.bus === 'local') return new LocalBus(nodeId, { onHandlerError });
  // Starts even while NATS is down (sends still commit; the tail check covers the other nodes
  // until the bus is back), and says so.
  return openNatsBus({
    servers: config.nats_url,
    nodeId,
    subjectPrefix: config.nats_subject_prefix,
    onHandlerError,
    onStatus: ({ connected, detail }) => {
      if (connected) log.info({ detail }, 'bus: connected to NATS');
      else log.warn({ detail }, 'bus: NATS is unreachable; messages reach other nodes through the store until it is back');
    },
  });
}
