import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParleyClient, type Credentials } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { ChatMessage } from '@parley/protocol';
import { spawnServer, type SpawnedServer, sleep } from '../src/index.ts';

/** `parley chat --plain` as people and scripts run it: real server process, real client processes. */
const PARLEY_BIN = fileURLToPath(new URL('../../cli/bin/parley-dev.js', import.meta.url));
const cleanups: (() => unknown)[] = [];

export async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-chat-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Ports free right now (held together, so they differ), for a server restarted on the same ones. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export async function server(dataDir: string, args: string[] = []): Promise<SpawnedServer> {
  const started = await spawnServer({ dataDir, tls: true, args });
  const exited = started.exited;
  cleanups.push(async () => {
    if (started.process.exitCode === null && started.process.signalCode === null) {
      started.kill('SIGKILL');
      await exited;
    }
  });
  return started;
}

/** Another person, on the SDK over plain TCP, keeping what it receives. */
export async function person(url: string, credentials: Credentials): Promise<ParleyClient & { received: ChatMessage[] }> {
  const client = Object.assign(new ParleyClient({ url, credentials, transport: nodeTransport() }), { received: [] as ChatMessage[] });
  client.on('message', (m) => client.received.push(m));
  cleanups.push(() => client.close());
  await client.connect();
  return client;
}

export interface Chat {
  process: ChildProcessWithoutNullStreams;
  stdout: () => string[];
  stderr: () => string;
  exited: Promise<number | null>;
  type(line: string): void;
  /** Waits until stdout has a line equal to `line` (or stderr matches a RegExp). */
  see(expected: string | RegExp, timeoutMs?: number): Promise<void>;
  count(line: string): number;
}

export function chat(url: string, args: string[], env: Record<string, string>): Chat {
  const child = spawn(process.execPath, [PARLEY_BIN, 'chat', '--plain', url, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const stdout = () => out.split('\n').filter(Boolean);
  return {
    process: child,
    stdout,
    stderr: () => err,
    exited,
    type: (line) => void child.stdin.write(`${line}\n`),
    count: (line) => stdout().filter((l) => l === line).length,
    async see(expected, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      const found = () => (typeof expected === 'string' ? stdout().includes(expected) : expected.test(err));
      while (!found()) {
        if (Date.now() > deadline || (child.exitCode !== null && !found())) {
          throw new Error(`no ${String(expected)} (exit ${child.exitCode}); stdout:\n${out}\nstderr:\n${err}`);
        }
        await sleep(20);
      }
    },
  };
}
