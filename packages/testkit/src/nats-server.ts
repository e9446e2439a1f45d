import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export const NATS_SERVER_BIN = '/usr/sbin/nats-server';

/**
 * A nats-server of a test's own, on a free loopback port, for what must not happen to the
 * machine's shared NATS (stopping it, restarting it). `stop` and `start` keep the port, so
 * clients reconnect to the same URL. Only the process this fixture spawned is ever signalled,
 * by its PID.
 */
export interface PrivateNatsServer extends AsyncDisposable {
  readonly port: number;
  readonly url: string;
  readonly running: boolean;
  /** Starts it again on the same port after `stop` (no-op while running). */
  start(): Promise<void>;
  /** SIGTERM to our process, resolved once it has exited. */
  stop(): Promise<void>;
}

export async function startNatsServer(options: { port?: number } = {}): Promise<PrivateNatsServer> {
  const port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    if (child) return;
    const spawned = spawn(NATS_SERVER_BIN, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    child = spawned;
    spawned.once('exit', () => {
      if (child === spawned) child = undefined;
    });
    await waitForPort(port, spawned);
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null || running.pid === undefined) {
      child = undefined;
      return;
    }
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    process.kill(running.pid, 'SIGTERM');
    await exited;
    child = undefined;
  }

  await start();
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    get running() {
      return child !== undefined;
    },
    start,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** A port nothing listens on right now (the kernel's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, child: ChildProcess, budgetMs = 10_000): Promise<void> {
  const deadline = Date.now() + budgetMs;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode} before listening on ${port}`);
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port} within ${budgetMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
