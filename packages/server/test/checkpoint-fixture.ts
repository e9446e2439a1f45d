import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ConfigSchema } from '../src/config/schema.ts';
import { Session } from '../src/core/session.ts';
import type { SessionTransport } from '../src/core/transport.ts';
import { ParleyServer } from '../src/server.ts';

/**
 * For unit tests of the command path without sockets: a server with no listeners (its SQLite
 * file in a temp dir), and sessions on an in-memory transport that records every byte written.
 */
export class MemorySink extends EventEmitter {
  readonly chunks: Buffer[] = [];
  writableLength = 0;
  destroyed = false;
  ended = false;

  write(chunk: Uint8Array): boolean {
    this.chunks.push(Buffer.from(chunk));
    return true;
  }

  cork(): void {}
  uncork(): void {}

  /** Everything written so far, as text lines. */
  lines(): string[] {
    return Buffer.concat(this.chunks).toString('utf8').split('\n').filter(Boolean);
  }
}

export interface Checkpoint {
  server: ParleyServer;
  open(remoteAddress?: string): { session: Session; sink: MemorySink };
  stop(): Promise<void>;
}

export async function startCheckpoint(settings: Record<string, unknown> = {}): Promise<Checkpoint> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-unit-'));
  const config = ConfigSchema.parse({ ...settings, data_dir: dataDir, tcp: { listen: [] }, http: { listen: [] }, accounts: { password_hash: 'scrypt' }, log: { level: 'silent' } });
  const server = await ParleyServer.start(config, { log: pino({ level: 'silent' }), onOperPassword: () => undefined });
  let nextId = 1;
  return {
    server,
    open(remoteAddress = '127.0.0.1') {
      const sink = new MemorySink();
      const transport: SessionTransport = {
        kind: 'tcp',
        remoteAddress,
        sink,
        end: () => void (sink.ended = true),
        pause: () => undefined,
        resume: () => undefined,
      };
      const session = new Session({ id: nextId++, transport, server: server.context, onClose: () => undefined });
      server.context.sessions.add(session);
      return { session, sink };
    },
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
