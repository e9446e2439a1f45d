import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ParleyClient, type Credentials } from '@parley/client';
import { nodeTransport } from '@parley/client/node';
import type { ChatMessage } from '@parley/protocol';
import { restartableServer, startTestServer, waitFor, type RestartableServer, type TestServer } from '../src/index.ts';
import { runCleanups, tempDir as makeTempDir, type Cleanups } from './server-process.ts';

/**
 * What the terminal UI tests (tui*.test.ts) drive `parley chat <url>` with, as a person uses
 * it: a real server, the real `parley` process in a terminal (tmux), keys in, the screen's text
 * out. Every wait polls the screen; nothing depends on timing. A test file calls `cleanUp` after
 * each test; it stops what the test started, newest first.
 */
const PARLEY_BIN = fileURLToPath(new URL('../../cli/bin/parley-dev.js', import.meta.url));
const run = promisify(execFile);
// .ci/run installs tmux; elsewhere a missing tmux skips these tests, saying why.
export const TMUX_MISSING = spawnSync('tmux', ['-V']).status !== 0;
const cleanups: Cleanups = [];
let terminals = 0;

export const cleanUp = (): Promise<void> => runCleanups(cleanups);
export const tempDir = (): string => makeTempDir(cleanups, 'parley-tui-');

export async function server(settings: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  // Other people in these tests send quickly; the default rate limit would pace them for minutes.
  const started = await startTestServer({ data_dir: tempDir(), limits: { messages_per_minute: 60_000, message_burst: 1_000 }, ...settings });
  cleanups.push(() => started.stop().catch(() => undefined));
  return started;
}

/** A server that can be stopped and started again on the same ports and data. */
export function restartable(): Promise<RestartableServer> {
  return restartableServer(cleanups, { limits: { messages_per_minute: 60_000, message_burst: 1_000 } });
}

/** Another person, on the SDK, over plain TCP. */
export async function person(srv: TestServer, credentials: Credentials): Promise<ParleyClient & { received: ChatMessage[] }> {
  const client = Object.assign(new ParleyClient({ url: `tcp://127.0.0.1:${srv.tcpPort}`, credentials, transport: nodeTransport() }), { received: [] as ChatMessage[] });
  client.on('message', (m) => client.received.push(m));
  cleanups.push(() => client.close());
  await client.connect();
  return client;
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** A terminal of its own: a private tmux server running one command in a 100×30 window. */
let e2eDir: string | undefined;

export class Terminal {
  private constructor(readonly socket: string) {}

  static async open(args: string[], env: Record<string, string>): Promise<Terminal> {
    const terminal = new Terminal(`parley-tui-${process.pid}-${++terminals}`);
    cleanups.push(() => terminal.tmux('kill-server').catch(() => undefined));
    // CI=true on purpose: CI runners set it, and a person's terminal must still get the full UI.
    // Keys of these tests' accounts stay in one temp dir (one machine's ~/.parley), never in the runner's.
    const vars = Object.entries({ TERM: 'xterm-256color', CI: 'true', PARLEY_E2E_DIR: (e2eDir ??= tempDir()), ...env }).map(([k, v]) => `${k}=${quote(v)}`);
    // After parley exits the window stays, showing how it ended, as a shell would.
    const command = `env ${vars.join(' ')} ${quote(process.execPath)} ${[PARLEY_BIN, ...args].map(quote).join(' ')}; echo "parley exited with $?"; sleep 600`;
    await terminal.tmux('new-session', '-d', '-s', 'tui', '-x', '100', '-y', '30', command);
    return terminal;
  }

  tmux(...args: string[]): Promise<{ stdout: string }> {
    return run('tmux', ['-L', this.socket, ...args]);
  }

  /** Types text as is (no key names). */
  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'tui', '-l', text);
  }

  /** Presses keys by tmux name: Enter, Tab, Up, PPage, Escape, M-1, C-n, … */
  async press(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', 'tui', ...keys);
  }

  async screen(): Promise<string> {
    return (await this.tmux('capture-pane', '-p', '-t', 'tui')).stdout;
  }

  /**
   * Waits until the screen matches and has stopped changing, and returns it. A capture can land in
   * the middle of a redraw (half the pane old, half new); two equal captures in a row cannot.
   */
  async see(pattern: string | RegExp, timeoutMs = 30_000): Promise<string> {
    let last = '';
    let previous = '';
    const matches = (screen: string) => (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen));
    return waitFor(
      async () => {
        previous = last;
        last = await this.screen();
        return matches(last) && last === previous ? last : undefined;
      },
      () => `${String(pattern)} on the screen:\n${last}`,
      timeoutMs,
    );
  }

  async notSee(pattern: string | RegExp): Promise<string> {
    return this.see(new RegExp(`^(?![\\s\\S]*${typeof pattern === 'string' ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern.source})`));
  }
}
