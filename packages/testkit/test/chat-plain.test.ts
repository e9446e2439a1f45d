import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServer, type SpawnedServer, sleep, waitFor } from '../src/index.ts';

/** `parley chat --plain` as people and scripts run it: real server process, real client processes. */
const PARLEY_BIN = fileURLToPath(new URL('../../cli/bin/parley-dev.js', import.meta.url));
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-chat-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Ports free right now (held together, so they differ), for a server restarted on the same ones. */
async function freePorts(count: number): Promise<number[]> {
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

async function server(dataDir: string, args: string[] = []): Promise<SpawnedServer> {
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

interface Chat {
  process: ChildProcessWithoutNullStreams;
  stdout: () => string[];
  stderr: () => string;
  exited: Promise<number | null>;
  type(line: string): void;
  /** Waits until stdout has a line equal to `line` (or stderr matches a RegExp). */
  see(expected: string | RegExp, timeoutMs?: number): Promise<void>;
  count(line: string): number;
}

function chat(url: string, args: string[], env: Record<string, string>): Chat {
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

describe('parley chat --plain', () => {
  it('two people talk in #general and by /msg over tls:// and ws://, and keep talking across a server restart', async () => {
    const dataDir = tempDir();
    const knownHosts = join(tempDir(), 'known_hosts');
    const env = { PARLEY_KNOWN_HOSTS: join(tempDir(), 'default_known_hosts') };
    const [tlsPort, tcpPort, httpPort] = await freePorts(3);
    // spawnServer passes --tcp/--http for port 0 first; later flags win with parseArgs.
    const ports = ['--tcp', `127.0.0.1:${tlsPort},tcp://127.0.0.1:${tcpPort}`, '--http', `127.0.0.1:${httpPort}`];
    const first = await server(dataDir, ports);
    expect([first.tlsPort, first.tcpPort, first.httpPort]).toEqual([tlsPort, tcpPort, httpPort]);

    const alice = chat(`tls://127.0.0.1:${tlsPort}`, ['--name', 'alice', '--password', 'correct-horse', '--register', '--accept-new', '--known-hosts', knownHosts], env);
    const bob = chat(`ws://127.0.0.1:${httpPort}/ws`, ['--name', 'bob'], env);
    await alice.see(/connected to tls:\/\/127\.0\.0\.1:\d+ as alice \(account\)[\s\S]*joined #general/);
    await bob.see(/connected to ws:\/\/127\.0\.0\.1:\d+\/ws as bob \(guest\)[\s\S]*joined #general/);
    expect(readFileSync(knownHosts, 'utf8')).toMatch(new RegExp(`^127\\.0\\.0\\.1:${tlsPort} [0-9A-F:]{95}$`, 'm'));

    alice.type('hello');
    await bob.see('[#general] alice: hello');
    alice.type('/msg bob psst');
    await bob.see('[dm] alice: psst');
    bob.type('hi alice');
    await alice.see('[#general] bob: hi alice');
    bob.type('/msg alice psst back');
    await alice.see('[dm] bob: psst back');

    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await alice.see(/disconnected; reconnecting in \d+ ms/);
    await bob.see(/disconnected; reconnecting in \d+ ms/);
    alice.type('typed while the server was down');
    bob.type('me too');
    bob.type('/msg alice queued dm');

    await server(dataDir, ports);
    await alice.see(/resumed; \d+ missed message\(s\) fetched/);
    await bob.see(/resumed; \d+ missed message\(s\) fetched/);
    await bob.see('[#general] alice: typed while the server was down');
    await alice.see('[#general] bob: me too');
    await alice.see('[dm] bob: queued dm');
    alice.type('after the restart');
    alice.type('/msg bob still here');
    bob.type('welcome back');
    await bob.see('[#general] alice: after the restart');
    await bob.see('[dm] alice: still here');
    await alice.see('[#general] bob: welcome back');

    // Both processes are the original ones, and every line arrived exactly once.
    expect(alice.process.exitCode).toBeNull();
    expect(bob.process.exitCode).toBeNull();
    await sleep(200);
    for (const line of ['[#general] alice: hello', '[dm] alice: psst', '[#general] alice: typed while the server was down', '[#general] alice: after the restart', '[dm] alice: still here']) {
      expect(bob.count(line), line).toBe(1);
    }
    for (const line of ['[#general] bob: hi alice', '[dm] bob: psst back', '[#general] bob: me too', '[dm] bob: queued dm', '[#general] bob: welcome back']) {
      expect(alice.count(line), line).toBe(1);
    }
    expect(bob.stdout().filter((l) => / alice: /.test(l))).toEqual([
      '[#general] alice: hello',
      '[dm] alice: psst',
      '[#general] alice: typed while the server was down',
      '[#general] alice: after the restart',
      '[dm] alice: still here',
    ]);
  });

  it('exits 0 at end of input once its pending sends are acknowledged', async () => {
    const dataDir = tempDir();
    const env = { PARLEY_KNOWN_HOSTS: join(tempDir(), 'known_hosts') };
    const srv = await server(dataDir);
    const bob = chat(`ws://127.0.0.1:${srv.httpPort}/ws`, ['--name', 'bob'], env);
    await bob.see(/joined #general/);
    const alice = chat(`tcp://127.0.0.1:${srv.tcpPort}`, ['--name', 'alice'], env);
    // Typed before it is even connected, then end of input at once.
    alice.type('last words');
    alice.type('/msg bob and a dm');
    alice.type('really the last');
    alice.process.stdin.end();
    expect(await alice.exited).toBe(0);
    await bob.see('[#general] alice: last words');
    await bob.see('[dm] alice: and a dm');
    await bob.see('[#general] alice: really the last');
    expect(bob.stdout().filter((l) => / alice: /.test(l))).toEqual(['[#general] alice: last words', '[dm] alice: and a dm', '[#general] alice: really the last']);
  });

  it('an owner looks a user up, kicks one from the room and one off the server; a guest is refused', async () => {
    const srv = await server(tempDir());
    const env = { PARLEY_KNOWN_HOSTS: join(tempDir(), 'known_hosts') };
    const url = `tcp://127.0.0.1:${srv.tcpPort}`;
    // The first account on a fresh data dir is the server's owner.
    const alice = chat(url, ['--name', 'alice', '--password', 'correct-horse', '--register'], env);
    await alice.see(/as alice \(account\)[\s\S]*joined #general/);
    const bob = chat(url, ['--name', 'bob'], env);
    const carol = chat(url, ['--name', 'carol'], env);
    await bob.see(/joined #general/);
    await carol.see(/joined #general/);

    bob.type('/kill carol');
    await bob.see(/FORBIDDEN: KICK needs the operator role/);
    expect(carol.process.exitCode).toBeNull();

    alice.type('/whois bob');
    await alice.see('* bob: guest, role guest, online');
    await waitFor(() => alice.stdout().find((l) => /^\*   connection \d+ over tcp since \S+ from 127\.0\.0\.1$/.test(l)), 'a session line with the address');
    await alice.see('*   rooms: #general');

    alice.type('/kick #general carol off topic');
    await alice.see('* kicked carol from #general');
    await carol.see('[#general] * carol left (kicked by alice: off topic)');
    alice.type('/kill bob bye');
    await alice.see('* kicked bob (1 connection(s) closed)');
    await bob.see(/KICKED: You were kicked by alice: bye/);
  });

  // Four processes, each compiling TypeScript as it starts: slow on a loaded machine.
  it('talks over wss:// to an HTTPS listener, pinning its certificate like tls://', { timeout: 60_000 }, async () => {
    const srv = await server(tempDir(), ['--http', '127.0.0.1:0,https://127.0.0.1:0']);
    const httpsPort = Number(/HTTPS https:\/\/127\.0\.0\.1:(\d+)\//.exec(srv.stderr())?.[1]);
    const knownHosts = join(tempDir(), 'known_hosts');
    const url = `wss://127.0.0.1:${httpsPort}/ws`;
    const stranger = chat(url, ['--name', 'eve', '--known-hosts', knownHosts], {});
    stranger.process.stdin.end();
    expect(await stranger.exited).toBe(1);
    expect(stranger.stderr()).toMatch(/HOST_UNKNOWN: 127\.0\.0\.1:\d+ is not a known host/);
    const alice = chat(url, ['--name', 'alice', '--accept-new', '--known-hosts', knownHosts], {});
    await alice.see(/joined #general/);
    const bob = chat(url, ['--name', 'bob', '--known-hosts', knownHosts], {});
    await bob.see(/joined #general/);
    alice.type('over wss');
    await bob.see('[#general] alice: over wss');
  });

  it('refuses an unknown TLS server without --accept-new and exits 1', async () => {
    const srv = await server(tempDir());
    const knownHosts = join(tempDir(), 'known_hosts');
    const stranger = chat(`tls://127.0.0.1:${srv.tlsPort}`, ['--name', 'eve', '--known-hosts', knownHosts], {});
    stranger.process.stdin.end();
    expect(await stranger.exited).toBe(1);
    expect(stranger.stderr()).toMatch(/HOST_UNKNOWN: 127\.0\.0\.1:\d+ is not a known host/);
  });
});
