import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// From the sources (tsx) unless asked for the build, so a test sees the code as it is now, not
// the last `npm run build`.
const PARLEY_SOURCE_BIN = fileURLToPath(new URL('../../cli/bin/parley-dev.js', import.meta.url));
/** The bundled bin that `npm install` builds and `npm start` runs. */
export const PARLEY_BUILT_BIN = fileURLToPath(new URL('../../cli/bin/parley.js', import.meta.url));

export interface SpawnedServer {
  process: ChildProcess;
  tcpPort: number;
  tlsPort: number | undefined;
  httpPort: number;
  /** With federation enabled: its listener's port and this server's id. */
  fedPort: number | undefined;
  serverId: string | undefined;
  stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Runs a real `parley serve` process on port 0 and reads the bound ports from its startup banner.
 */
export async function spawnServer(options: {
  dataDir: string;
  args?: string[];
  env?: Record<string, string>;
  tls?: boolean;
  /** A command that runs node, e.g. ['taskset', '-c', '0'] to pin the server to a core. */
  prefix?: string[];
  /** Flags for node itself, e.g. ['--cpu-prof']. */
  nodeArgs?: string[];
  /** Run the built bin (what `npm start` runs) instead of the sources. */
  built?: boolean;
  /** Another Parley's `parley` bin (a baseline checkout's bundle); wins over `built`. */
  bin?: string;
}): Promise<SpawnedServer> {
  const tcp = options.tls ? '127.0.0.1:0,tcp://127.0.0.1:0' : 'tcp://127.0.0.1:0';
  const [command, ...prefixArgs] = [...(options.prefix ?? []), process.execPath];
  const child = spawn(
    command!,
    [...prefixArgs, ...(options.nodeArgs ?? []), options.bin ?? (options.built ? PARLEY_BUILT_BIN : PARLEY_SOURCE_BIN), 'serve', '--data-dir', options.dataDir, '--tcp', tcp, '--http', '127.0.0.1:0', '--log-level', 'warn', ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PARLEY_ACCOUNTS_PASSWORD_HASH: 'scrypt', ...options.env } },
  );
  let stderr = '';
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`parley did not start in time:\n${stderr}`)), 20_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/HTTP\s+http:\/\//.test(stderr)) {
        clearTimeout(timer);
        resolve(stderr);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`parley exited with ${code}:\n${stderr}`));
    });
  });
  const port = (pattern: RegExp) => {
    const match = pattern.exec(banner);
    return match ? Number(match[1]) : undefined;
  };
  return {
    process: child,
    tcpPort: port(/TCP\s+\S+:(\d+)/) ?? -1,
    tlsPort: port(/TLS\s+\S+:(\d+)/),
    httpPort: port(/HTTP\s+http:\/\/\S+:(\d+)\//) ?? -1,
    fedPort: port(/FED\s+\S+:(\d+)/),
    serverId: /Server \S+\s+id (ps1\S+)/.exec(banner)?.[1],
    stderr: () => stderr,
    exited,
    kill: (signal = 'SIGTERM') => child.kill(signal),
  };
}
