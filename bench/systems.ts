import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:net';

/**
 * Other servers run side by side with Parley in the same benchmark run, on the same core and
 * with the same load generator, so the comparison is a ratio measured here and now. They come
 * from Debian packages (`apt-get install -y nats-server inspircd`); a missing one is skipped.
 */
export interface ComparisonServer {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

export const NATS_SERVER = '/usr/sbin/nats-server';

export const INSPIRCD = '/usr/sbin/inspircd';

export function natsAvailable(): boolean {
  return existsSync(NATS_SERVER);
}

export function inspircdAvailable(): boolean {
  return existsSync(INSPIRCD);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`comparison server exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`comparison server did not listen on ${port}`);
}

/** nats-server with defaults (no JetStream, no auth) on a free loopback port. */
export async function startNats(prefix: string[]): Promise<ComparisonServer> {
  const port = await freePort();
  const [command, ...args] = [...prefix, NATS_SERVER, '-a', '127.0.0.1', '-p', String(port)];
  const child = spawn(command!, args, { stdio: 'ignore' });
  await waitForPort(port, child);
  return { pid: child.pid!, port, stop: () => stopChild(child) };
}

/** SIGTERM to a process this run started, then `cleanup` once it has exited. */
function stopChild(child: ChildProcess, cleanup: () => void = () => undefined): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => {
      cleanup();
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * InspIRCd with its flood protection opened up for the load (as the Parley run raises its
 * rate limits): no fake lag, huge command rate and send queues, no DNS or ident lookups.
 */
export async function startInspircd(prefix: string[]): Promise<ComparisonServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-ircd-'));
  const config = join(dir, 'inspircd.conf');
  writeFileSync(
    config,
    `<server name="bench.parley.test" description="Parley benchmark comparison" network="Bench">
<admin name="bench" nick="bench" email="bench@localhost">
<bind address="127.0.0.1" port="${port}" type="clients">
<connect name="bench" allow="127.0.0.1" maxchans="50" timeout="60" pingfreq="600" hardsendq="268435456" softsendq="16777216" recvq="16777216" threshold="100000000" commandrate="100000000" fakelag="off" localmax="20000" globalmax="20000" useident="no" limit="20000" resolvehostnames="no">
<cidr ipv4clone="32" ipv6clone="128">
<pid file="${join(dir, 'inspircd.pid')}">
<performance softlimit="20000" somaxconn="4096" clonesonconnect="no" quietbursts="yes">
<options prefixquit="Quit: " syntaxhints="no" announcets="no" hostintopic="no">
<security hideserver="" userstats="Pu" customversion="" runasuser="" runasgroup="">
<limits maxnick="30" maxchan="64" maxmodes="20" maxident="11" maxhost="64" maxquit="255" maxtopic="307" maxkick="255" maxreal="128" maxgecos="128" maxaway="200">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="${join(dir, 'ircd.log')}">
<channels users="100" opers="60">
`,
  );
  const [command, ...args] = [...prefix, INSPIRCD, '--nofork', '--runasroot', `--config=${config}`];
  const child = spawn(command!, args, { stdio: 'ignore' });
  await waitForPort(port, child);
  return { pid: child.pid!, port, stop: () => stopChild(child, () => rmSync(dir, { recursive: true, force: true })) };
}
