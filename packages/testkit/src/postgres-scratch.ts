import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/*
 * PostgreSQL for tests: scratch schemas on the machine's server, and private servers a test
 * may stop, restart or make read-only without disturbing anyone else's tests.
 */

/** The machine's PostgreSQL (trust auth); PARLEY_TEST_POSTGRES_URL points elsewhere. */
export const TEST_POSTGRES_URL = process.env['PARLEY_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh schema name, `t_<random>`: unique per test, so parallel workers never meet. */
export function scratchSchemaName(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

/** Runs `fn` on a connection of its own (not a store's), closed afterwards. */
export async function withPostgresClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops a scratch schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  await withPostgresClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`));
}

const BIN = process.env['PARLEY_TEST_POSTGRES_BIN'] ?? '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

/** PostgreSQL refuses to run as root: as root, its tools run as the `postgres` user. */
function asPostgres(tool: string, args: string[]): [string, string[]] {
  const file = path.join(BIN, tool);
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface PrivatePostgres {
  readonly url: string;
  readonly port: number;
  /** Starts the server (again) and resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it (`pg_ctl stop -m fast`: sessions are terminated, as in a restart); waits until it is down. */
  stop(): Promise<void>;
  /** Stops the server if it runs and deletes its files. Safe to call twice. */
  destroy(): Promise<void>;
}

/**
 * A throwaway PostgreSQL server in a temporary directory on a free port, listening on
 * 127.0.0.1 and a socket in that directory only, with fsync off (the tests never crash the
 * machine). Startup waits by polling a connection, not by sleeping. Whatever happens to the
 * test, `destroy` (and, as a last resort, process exit) stops exactly this server through its
 * own data directory.
 */
export async function startPrivatePostgres(options: { readyTimeoutMs?: number } = {}): Promise<PrivatePostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = false;
  let destroyed = false;

  const pgCtl = (args: string[]) => {
    const [file, argv] = asPostgres('pg_ctl', ['-D', data, ...args]);
    return run(file, argv, { timeout: 60_000 });
  };
  const stopNow = () => {
    if (!running) return;
    try {
      const [file, argv] = asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      execFileSync(file, argv, { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // Already stopped.
    }
  };
  process.once('exit', stopNow);

  async function waitReady(): Promise<void> {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
    for (;;) {
      try {
        await withPostgresClient(url, (c) => c.query('SELECT 1'));
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`the private PostgreSQL on port ${port} did not accept connections in time`, { cause: err });
        // Polling a refused connect on loopback costs microseconds; 50 ms keeps it cheap.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  const instance: PrivatePostgres = {
    url,
    port,
    async start() {
      const settings = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=40`;
      // -W: pg_ctl returns at once; readiness is a connection that works.
      await pgCtl(['-W', '-l', path.join(dir, 'server.log'), '-o', settings, 'start']);
      running = true;
      await waitReady();
    },
    async stop() {
      await pgCtl(['-m', 'fast', '-w', 'stop']);
      running = false;
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      process.removeListener('exit', stopNow);
      if (running) await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      running = false;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    const [file, argv] = asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await run(file, argv, { timeout: 120_000 });
    await instance.start();
  } catch (err) {
    await instance.destroy();
    throw err;
  }
  return instance;
}
