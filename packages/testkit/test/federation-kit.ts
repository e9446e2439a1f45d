import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage, ReplyData } from '@parley/protocol';
import { FrameClient, spawnServer, waitFor, type SpawnedServer } from '../src/index.ts';

/** Real `parley serve` processes with federation on, their clients and data dirs, cleaned up by `cleanup`. */
export class FederationTestbed {
  readonly processes: SpawnedServer[] = [];
  readonly clients: FrameClient[] = [];
  readonly dirs: string[] = [];

  async cleanup(): Promise<void> {
    for (const c of this.clients.splice(0)) c.close();
    for (const p of this.processes.splice(0)) {
      p.kill('SIGKILL');
      await p.exited;
    }
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }

  dataDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'parley-fed-'));
    this.dirs.push(dir);
    return dir;
  }

  /** `listen`: the federation listener ("127.0.0.1:0" by default; "" for a server that only dials out). */
  async server(name: string, options: { dir?: string; peers?: string[]; listen?: string; extra?: string[]; tls?: boolean } = {}): Promise<SpawnedServer> {
    const server = await spawnServer({
      dataDir: options.dir ?? this.dataDir(),
      ...(options.tls ? { tls: true } : {}),
      args: [
        ...['--set', 'limits.messages_per_minute=100000', '--set', 'limits.message_burst=100000'],
        ...['--set', `server_name=${name}`, '--set', 'federation.enabled=true', '--set', `federation.listen=${options.listen ?? '127.0.0.1:0'}`],
        ...(options.peers && options.peers.length > 0 ? ['--set', `federation.peers=${options.peers.join(',')}`] : []),
        ...(options.extra ?? []),
      ],
    });
    this.processes.push(server);
    return server;
  }

  /** kill -9, and forget it (a restart is a new process). */
  async kill(server: SpawnedServer): Promise<void> {
    server.kill('SIGKILL');
    await server.exited;
    this.processes.splice(this.processes.indexOf(server), 1);
  }

  async user(server: SpawnedServer, name: string, cmd: 'register' | 'login' = 'register'): Promise<FrameClient> {
    const client = await FrameClient.open({ transport: 'tcp', codec: 'json', port: server.tcpPort }, { cmd, name, password: `${name}-password-123` });
    this.clients.push(client);
    return client;
  }
}

export function address(server: SpawnedServer): string {
  return `127.0.0.1:${server.fedPort}`;
}

interface Health {
  federation: { id: string; peers: { id: string; name: string; linked: boolean; hops?: number }[] };
}

/** Like waitFor, for checks that send commands: a few times a second, under the per-connection command rate. */
export async function poll<T>(check: () => Promise<T>, what: string | (() => string), budgetMs: number): Promise<NonNullable<T>> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function health(server: SpawnedServer): Promise<Health> {
  const response = await fetch(`http://127.0.0.1:${server.httpPort}/healthz`);
  return (await response.json()) as Health;
}

/** Waits until `server` has a route to `peer` (linked directly, or through others). */
export async function reaches(server: SpawnedServer, peer: string, budgetMs = 30_000): Promise<void> {
  await waitFor(async () => (await health(server)).federation.peers.some((p) => p.name === peer && p.hops !== undefined), `a route to ${peer}`, budgetMs);
}

export async function linked(server: SpawnedServer, peer: string, budgetMs = 30_000): Promise<void> {
  await waitFor(async () => (await health(server)).federation.peers.some((p) => p.name === peer && p.linked), `${peer} linked`, budgetMs);
}

export async function history(client: FrameClient, target: string): Promise<ChatMessage[]> {
  const messages: ChatMessage[] = [];
  for (let after = 0; ; ) {
    const page = (await client.ok('history', { with: target, after, limit: 100 })) as unknown as ReplyData['history'];
    messages.push(...page.messages);
    if (page.messages.length < 100) return messages;
    after = page.messages.at(-1)!.seq;
  }
}

/** "seq sender text" of the message events a client got for a conversation. */
export function heard(client: FrameClient, conv: string): string[] {
  return client
    .events()
    .filter((e): e is ChatMessage & { ev: 'message' } => e.ev === 'message' && e.conv === conv)
    .map((e) => `${e.seq} ${e.from}: ${e.text}`);
}

/** A name without its server part: histories on two servers show one sender as "alice" and "alice@a.test". */
export function bare(name: string): string {
  return name.replace(/@[a-z0-9.-]+$/, '');
}

export function okData<T>(value: Record<string, unknown>): T {
  return value as unknown as T;
}

/** Waits until a server's log file (log.file) has a line matching `pattern`: the proof that it refused or dropped something. */
export function logWatcher(file: () => string): (pattern: RegExp) => Promise<boolean> {
  const text = () => {
    try {
      return readFileSync(file(), 'utf8');
    } catch {
      return '';
    }
  };
  return (pattern) => poll(async () => pattern.test(text()), `a log line ${pattern}`, 15_000);
}
