import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plaintextWarnings } from './plaintext-warning.ts';
import { parseArgs } from 'node:util';
import { createLogger, DataDirError, formatListenAddress, loadConfig, ParleyServer, type Config } from '@parley/server';
import { startConsole } from './console.ts';

/** CLI flags and the config key each one sets. */
const FLAG_KEYS = { 'data-dir': 'data_dir', tcp: 'tcp.listen', http: 'http.listen', 'log-level': 'log.level' } as const;

function flagOverrides(values: Record<string, string | string[] | boolean | undefined>): Record<string, string> | string {
  const overrides: Record<string, string> = {};
  for (const [flag, key] of Object.entries(FLAG_KEYS)) {
    const value = values[flag];
    if (typeof value === 'string') overrides[key] = value;
  }
  for (const assignment of (values.set as string[] | undefined) ?? []) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) return `--set expects key.path=value, got "${assignment}"`;
    overrides[assignment.slice(0, eq)] = assignment.slice(eq + 1);
  }
  return overrides;
}

/** `parley serve`: load config (all errors at once), start, print how to connect, stop cleanly on signals. */
export async function serve(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        tcp: { type: 'string' },
        http: { type: 'string' },
        'log-level': { type: 'string' },
        set: { type: 'string', multiple: true },
      },
    });
  } catch (error) {
    process.stderr.write(`parley serve: ${(error as Error).message}\n`);
    return 2;
  }
  const overrides = flagOverrides(parsed.values);
  if (typeof overrides === 'string') {
    process.stderr.write(`parley serve: ${overrides}\n`);
    return 2;
  }
  const load = () =>
    loadConfig({
      cwd: process.env.INIT_CWD ?? process.cwd(),
      env: process.env,
      overrides,
      ...(parsed.values.config ? { configPath: parsed.values.config } : {}),
    });
  const loaded = load();
  if (!loaded.ok) {
    process.stderr.write(`parley: the configuration has ${loaded.errors.length} error(s); not starting:\n`);
    for (const error of loaded.errors) process.stderr.write(`  - ${error}\n`);
    return 78; // EX_CONFIG
  }
  const config = loaded.config;
  const log = createLogger(config);
  let server: ParleyServer;
  try {
    // The one-time operator password goes to stdout only (not the log file), for /OPER.
    const onOperPassword = (password: string) => process.stdout.write(`Operator password (for /OPER, rotates every ${config.moderation.oper_password_rotate_minutes} min): ${password}\n`);
    server = await ParleyServer.start(config, { log, onOperPassword });
  } catch (error) {
    log.fatal({ err: error }, 'failed to start');
    process.stderr.write(`parley: failed to start: ${(error as Error).message}\n`);
    // EX_CANTCREAT: nothing can be written where the data must go.
    return error instanceof DataDirError ? 73 : 1;
  }
  const tls = server.tcp.filter((a) => a.tls).map((a) => formatListenAddress(a));
  const plain = server.tcp.filter((a) => !a.tls).map((a) => formatListenAddress(a));
  const http = server.http.map((a) => `${a.tls ? 'https' : 'http'}://${formatListenAddress(a)}`);
  log.info({ tls, plainTcp: plain, http, dataDir: config.data_dir, fingerprint: server.fingerprint, sources: loaded.sources }, 'parley started');
  const lines = [
    `Parley ${server.context.version} is running (data in ${config.data_dir})`,
    ...tls.map((a) => `  TLS   ${a}   connect: openssl s_client -quiet -connect ${a}`),
    ...plain.map((a) => `  TCP   ${a}   (plaintext)`),
    ...server.http.map((a) => {
      const [kind, web, ws] = a.tls ? ['HTTPS', 'https', 'wss'] : ['HTTP ', 'http', 'ws'];
      return `  ${kind} ${web}://${formatListenAddress(a)}/   WebSocket ${ws}://${formatListenAddress(a)}/ws`;
    }),
    ...(server.fingerprint ? [`  TLS certificate SHA-256 fingerprint: ${server.fingerprint}`] : []),
    ...federationLines(server),
    `  Store ${describeStore(config)}   Bus ${config.bus === 'nats' ? `nats ${withoutSecrets(config.nats_url)}` : 'local (this process)'}   Node ${server.context.nodeId}`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  for (const warning of plaintextWarnings({ tcp: server.tcp, http: server.http })) {
    log.warn(warning);
    process.stderr.write(`  WARNING: ${warning}\n`);
  }

  // `parley admin reload` finds the server through this file and sends it SIGHUP.
  const pidFile = join(config.data_dir, 'parley.pid');
  writeFileSync(pidFile, `${process.pid}\n`);
  const reload = async (actor: string) => {
    const next = load();
    if (!next.ok) {
      log.error({ errors: next.errors }, 'reload: the configuration has errors; nothing changed');
      process.stderr.write(`parley: reload refused, the configuration has errors:\n${next.errors.map((e) => `  - ${e}`).join('\n')}\n`);
      return;
    }
    const plan = await server.reload(next.config, actor);
    log.info({ applied: plan.applied, restartNeeded: plan.restartNeeded }, 'configuration reloaded');
    process.stderr.write(`parley: reloaded (${plan.applied.length} setting(s) applied${plan.restartNeeded.length ? `; restart needed for ${plan.restartNeeded.join(', ')}` : ''})\n`);
  };
  const onHup = () => void reload('SIGHUP').catch((err: unknown) => log.error({ err }, 'reload failed'));
  process.on('SIGHUP', onHup);
  const stopConsole = process.stdin.isTTY ? startConsole(server, () => reload('console')) : undefined;

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      process.off('SIGHUP', onHup);
      stopConsole?.();
      rmSync(pidFile, { force: true });
      log.info({ signal }, 'shutting down');
      server.stop().then(
        () => resolve(0),
        (err: unknown) => {
          log.error({ err }, 'unclean shutdown');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/** Where the data is, without the password a connection string may carry. */
function describeStore(config: Config): string {
  if (config.store === 'sqlite') return `sqlite ${join(config.data_dir, 'parley.db')}`;
  return `postgres ${withoutSecrets(config.store_url)} (schema ${config.postgres.schema})`;
}

function withoutSecrets(urls: string): string {
  return urls
    .split(',')
    .map((raw) => {
      try {
        const url = new URL(raw.trim());
        url.password = '';
        return url.toString().replace(/\/$/, '');
      } catch {
        return '(unparsable address)';
      }
    })
    .join(',');
}

/** The federation listeners and this server's id and name, which other servers' operators pin. */
function federationLines(server: ParleyServer): string[] {
  const federation = server.context.federation;
  if (!federation) return [];
  return [
    ...federation.links.bound.map((a) => `  FED   ${formatListenAddress(a)}   federation links (TLS)`),
    `  Server ${server.context.config.server_name.toLowerCase()}   id ${federation.identity.id}`,
  ];
}
