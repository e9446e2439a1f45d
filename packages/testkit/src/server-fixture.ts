import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ConfigSchema, ParleyServer, type Bus, type Config, type Store } from '@parley/server';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

export interface TestServer {
  server: ParleyServer;
  config: Config;
  dataDir: string;
  /** The TLS port (127.0.0.1). */
  tlsPort: number;
  /** The plaintext TCP port (127.0.0.1). */
  tcpPort: number;
  httpPort: number;
  /** The operator password the server announced last (at start and after each use or rotation). */
  operPassword(): string;
  /** Stops the server; keeps the data dir unless `removeData`. */
  stop(options?: { removeData?: boolean }): Promise<void>;
}

/**
 * Starts a real in-process server on port 0 with a fresh data dir: one TLS and one plaintext
 * TCP listener and one HTTP listener on 127.0.0.1, logs silenced. `settings` take config keys as
 * in parley.toml (snake_case), e.g. `{ limits: { messages_per_minute: 600 } }`.
 */
export async function startTestServer(settings: DeepPartial<Config> & { data_dir?: string } = {}, inject: { store?: Store; bus?: Bus } = {}): Promise<TestServer> {
  const dataDir = settings.data_dir ?? mkdtempSync(join(tmpdir(), 'parley-test-'));
  const config = ConfigSchema.parse({
    ...settings,
    data_dir: dataDir,
    tcp: { listen: ['127.0.0.1:0', 'tcp://127.0.0.1:0'], ...settings.tcp },
    http: { listen: ['127.0.0.1:0'], ...settings.http },
    accounts: { password_hash: 'scrypt', ...settings.accounts },
    log: { level: 'silent', ...settings.log },
  });
  const operPasswords: string[] = [];
  const server = await ParleyServer.start(config, { log: pino({ level: 'silent' }), onOperPassword: (password) => operPasswords.push(password), ...inject });
  const tls = server.tcp.find((a) => a.tls);
  const tcp = server.tcp.find((a) => !a.tls);
  return {
    server,
    config,
    dataDir,
    tlsPort: tls?.port ?? -1,
    tcpPort: tcp?.port ?? -1,
    httpPort: server.http[0]?.port ?? -1,
    operPassword: () => operPasswords.at(-1) ?? '',
    async stop(options) {
      await server.stop();
      if (options?.removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
