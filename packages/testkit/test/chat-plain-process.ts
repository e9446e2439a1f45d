import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ParleyClient, type Credentials } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { ChatMessage } from '@parley/protocol';
import { type SpawnedServer, sleep } from '../src/index.ts';
import * as processes from './server-process.ts';

/** `parley chat --plain` as people and scripts run it: real server process, real client processes. */
const PARLEY_BIN = fileURLToPath(new URL('../../cli/bin/parley-dev.js', import.meta.url));
const cleanups: processes.Cleanups = [];

export const cleanUp = (): Promise<void> => processes.runCleanups(cleanups);
export const tempDir = (): string => processes.tempDir(cleanups, 'parley-chat-');

export function server(dataDir: string, args: string[] = []): Promise<SpawnedServer> {
  return processes.serverProcess(cleanups, { dataDir, tls: true, args });
}

/** A server process to kill and start again on the same ports and data (`start`, then `kill`). */
export const restartable = (options: { tls?: boolean } = {}): Promise<processes.RestartableProcess> => processes.restartableProcess(cleanups, options);

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

let e2eDir: string | undefined;
process.once('exit', () => {
  if (e2eDir) rmSync(e2eDir, { recursive: true, force: true });
});

export function chat(url: string, args: string[], env: Record<string, string>): Chat {
  // Keys of these tests' accounts stay in one temp dir (one machine's ~/.parley), never in the runner's.
  e2eDir ??= mkdtempSync(join(tmpdir(), 'parley-plain-e2e-'));
  const child = spawn(process.execPath, [PARLEY_BIN, 'chat', '--plain', url, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PARLEY_E2E_DIR: e2eDir, ...env } });
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
