import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Bus } from './bus.ts';
import { LocalBus } from './local-bus.ts';

/** Opens the bus the configuration names, as node `nodeId`. */
export async function openConfiguredBus(config: Config, nodeId: string, log: Logger): Promise<Bus> {
  const onHandlerError = (err: unknown, topic: string) => log.error({ err, topic }, 'handling a bus payload failed');
  if (config.bus === 'nats') {
    throw new Error('bus = "nats" is not available in this build');
  }
  return new LocalBus(nodeId, { onHandlerError });
}
