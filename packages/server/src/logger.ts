import { pino, type Logger } from 'pino';
import type { Config } from './config/schema.ts';

/** Structured JSON logs on stdout, and in `log.file` too when it is set. */
export function createLogger(config: Pick<Config, 'log'>): Logger {
  const level = config.log.level;
  if (!config.log.file) return pino({ level, base: { service: 'parley' } });
  return pino(
    { level, base: { service: 'parley' } },
    pino.multistream([
      { level, stream: pino.destination(1) },
      { level, stream: pino.destination({ dest: config.log.file, mkdir: true, sync: false }) },
    ]),
  );
}
