import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditInfo, Reply, ReplyData } from '@parley/protocol';
import { openConsoleSession } from '@parley/server';
import { FrameClient, sleep, spawnServer, startTestServer, TextClient, waitFor, type SpawnedServer, type TestServer } from '../src/index.ts';

/**
 * The federation operator commands (PEERS, CONNECT, DISCONNECT) against two real `parley serve`
 * processes: an operator links A to B and unlinks it again, a plain user is refused, bad
 * arguments say what is wrong, and a server that does not federate says so, in frames, in text
 * mode, at the console and in `parley admin`.
 */
const PARLEY_BIN = fileURLToPath(new URL('../../cli/bin/parley-dev.js', import.meta.url));
const run = promisify(execFile);
const PASSWORD = 'password123';
// Two loaded cores and TypeScript compiled at each process start: generous budgets, never fixed sleeps.
const LINK_BUDGET_MS = 20_000;

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-peers-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function federated(name: string, dir: string): Promise<SpawnedServer> {
  const server = await spawnServer({ dataDir: dir, args: ['--set', `server_name=${name}`, '--set', 'federation.enabled=true', '--set', 'federation.listen=127.0.0.1:0'] });
  cleanups.push(async () => {
    server.kill('SIGKILL');
    await server.exited;
  });
  return server;
}

async function frames(port: number, login: Record<string, unknown>): Promise<FrameClient> {
  const client = await FrameClient.open({ transport: 'tcp', codec: 'json', port }, login as never);
  cleanups.push(() => client.close());
  return client;
}

async function linkedOn(server: SpawnedServer): Promise<Record<string, boolean>> {
  const health = (await (await fetch(`http://127.0.0.1:${server.httpPort}/healthz`)).json()) as { federation: { peers: { name: string; linked: boolean }[] } };
  return Object.fromEntries(health.federation.peers.map((p) => [p.name, p.linked]));
}

const errorOf = (reply: Reply) => (reply.ok ? 'ok' : reply.error.name);
const peersOf = async (client: FrameClient) => (await client.ok('peers')) as unknown as ReplyData['peers'];

/** A bounded watch: `check` must hold at every look for `ms` (a redial would relink within its first 15 ms retry). */
async function holds(check: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!(await check())) throw new Error(`${what} stopped holding`);
    await sleep(100);
  }
}

/** Sends a text line and returns the reply's lines, its `OK`/`ERR` line last. */
async function textReply(client: TextClient, line: string, pattern: RegExp): Promise<string[]> {
  const from = client.lines.length;
  await client.command(line, 10_000);
  return client.lines.slice(from).filter((l) => pattern.test(l));
}

describe('PEERS, CONNECT and DISCONNECT between two server processes', () => {
  it('links A to B at an operator\'s CONNECT, unlinks at DISCONNECT for good, and refuses what is wrong', { timeout: 120_000 }, async () => {
    const aDir = dataDir();
    const [a, b] = await Promise.all([federated('a.test', aDir), federated('b.test', dataDir())]);
    // The first account of a fresh data dir is its owner; it makes `op` a plain operator.
    const root = await frames(a.tcpPort, { cmd: 'register', name: 'root', password: PASSWORD });
    const op = await frames(a.tcpPort, { cmd: 'register', name: 'op', password: PASSWORD });
    const pat = await frames(a.tcpPort, { cmd: 'register', name: 'pat', password: PASSWORD });
    await root.ok('grant', { name: 'op', role: 'operator' });

    expect(await peersOf(op)).toEqual({ id: a.serverId, name: 'a.test', peers: [], dialing: [] });

    const bad = async (args: Record<string, unknown>) => op.request('connect', args);
    expect(await bad({ host: '127.0.0.1', port: 0 })).toMatchObject({ ok: false, error: { name: 'BAD_ARGUMENTS', message: 'connect: port: the port is 1-65535' } });
    expect(await bad({ host: '127.0.0.1', port: 70_000 })).toMatchObject({ ok: false, error: { name: 'BAD_ARGUMENTS', message: 'connect: port: the port is 1-65535' } });
    expect(await bad({ port: b.fedPort })).toMatchObject({ ok: false, error: { name: 'BAD_ARGUMENTS', message: expect.stringMatching(/host: a host is needed/) } });
    expect(await bad({ host: 'not_a host', port: b.fedPort })).toMatchObject({ ok: false, error: { name: 'BAD_ARGUMENTS', message: expect.stringMatching(/not a valid hostname/) } });
    expect(await bad({ host: `${b.serverId}@127.0.0.1`, port: b.fedPort })).toMatchObject({ ok: false, error: { name: 'BAD_ARGUMENTS' } });
    expect(await op.request('disconnect', { server: 'nowhere.test' })).toMatchObject({ ok: false, error: { name: 'NO_SUCH_SERVER', code: 7001 } });
    expect(errorOf(await op.request('disconnect', {}))).toBe('BAD_ARGUMENTS');
    // None of those started dialing anything.
    expect((await peersOf(op)).dialing).toEqual([]);
    // An address where nothing answers is dialed until disconnected by its host:port (it never linked: no name, no id).
    await op.ok('connect', { host: '127.0.0.1', port: 1 });
    expect((await peersOf(op)).dialing).toEqual([{ host: '127.0.0.1', port: 1 }]);
    expect(await op.ok('disconnect', { server: '127.0.0.1:1' })).toEqual({ name: '127.0.0.1:1' });
    expect((await peersOf(op)).dialing).toEqual([]);

    for (const [verb, args] of [['peers', {}], ['connect', { host: '127.0.0.1', port: b.fedPort }], ['disconnect', { server: 'b.test' }]] as const) {
      expect(await pat.request(verb, args), verb).toMatchObject({ ok: false, error: { name: 'FORBIDDEN', code: 2005 } });
    }

    expect(await op.ok('connect', { host: '127.0.0.1', port: b.fedPort })).toEqual({ host: '127.0.0.1', port: b.fedPort });
    const listed = await waitFor(async () => (await peersOf(op)).peers.find((p) => p.name === 'b.test' && p.linked), 'b.test linked in PEERS', LINK_BUDGET_MS);
    expect(listed).toMatchObject({ id: b.serverId, hops: 1, addresses: [`127.0.0.1:${b.fedPort}`], denied: false });
    expect(Math.abs(Date.now() - listed.lastSeen)).toBeLessThan(LINK_BUDGET_MS);
    // Linked, so no longer among the addresses still being dialed.
    expect((await peersOf(op)).dialing).toEqual([]);
    await waitFor(async () => (await linkedOn(b))['a.test'], 'a.test linked on B', LINK_BUDGET_MS);

    const text = await TextClient.connect({ port: a.tcpPort });
    cleanups.push(() => text.close());
    expect(await text.command(`LOGIN op ${PASSWORD}`)).toMatch(/^OK welcome/);
    const lines = new RegExp(`^(SELF|PEER|DIALING|OK PEERS|ERR)`);
    const peerLine = new RegExp(`^PEER b\\.test ${b.serverId} linked seen \\d{4}-\\S+Z at 127\\.0\\.0\\.1:${b.fedPort}$`);
    expect(await textReply(text, 'PEERS', lines)).toEqual([`SELF a.test ${a.serverId}`, expect.stringMatching(peerLine), 'OK PEERS 1']);
    expect(await textReply(text, '/links', lines)).toEqual([`SELF a.test ${a.serverId}`, expect.stringMatching(peerLine), 'OK PEERS 1']);
    expect(await text.command('CONNECT 127.0.0.1 0')).toBe('ERR 1003 BAD_ARGUMENTS connect: port: the port is 1-65535');
    expect(await text.command('CONNECT 127.0.0.1')).toBe('ERR 1003 BAD_ARGUMENTS Usage: CONNECT <host> <port>');
    expect(await text.command('/squit nowhere.test')).toMatch(/^ERR 7001 NO_SUCH_SERVER /);

    expect(await text.command('DISCONNECT b.test')).toBe(`OK DISCONNECT b.test ${b.serverId}`);
    await waitFor(async () => (await linkedOn(a))['b.test'] === false && (await linkedOn(b))['a.test'] === false, 'the link down on both sides', LINK_BUDGET_MS);
    await holds(async () => !(await linkedOn(a))['b.test'] && !(await linkedOn(b))['a.test'], 'b.test unlinked', 3_000);
    const after = await peersOf(op);
    expect(after.dialing).toEqual([]);
    // Known still, but no route reaches it now.
    expect(after.peers).toEqual([expect.objectContaining({ name: 'b.test', linked: false })]);
    expect(after.peers[0]).not.toHaveProperty('hops');

    // A known server can be linked again, and unlinked by its id.
    await op.ok('connect', { host: '127.0.0.1', port: b.fedPort });
    await waitFor(async () => (await linkedOn(a))['b.test'], 'b.test linked again', LINK_BUDGET_MS);
    expect(await op.ok('disconnect', { server: b.serverId })).toEqual({ name: 'b.test', id: b.serverId });
    await waitFor(async () => (await linkedOn(a))['b.test'] === false, 'b.test unlinked again', LINK_BUDGET_MS);
    await holds(async () => !(await linkedOn(a))['b.test'], 'b.test unlinked', 2_000);

    const { entries } = (await op.ok('audit', { limit: 10 })) as unknown as { entries: AuditInfo[] };
    const federationEntries = entries.filter((e) => e.action.startsWith('federation.')).map((e) => [e.actor, e.action, e.target, e.detail]);
    expect(federationEntries).toEqual([
      ['op', 'federation.disconnect', 'b.test', b.serverId],
      ['op', 'federation.connect', `127.0.0.1:${b.fedPort}`, ''],
      ['op', 'federation.disconnect', 'b.test', b.serverId],
      ['op', 'federation.connect', `127.0.0.1:${b.fedPort}`, ''],
      ['op', 'federation.disconnect', '127.0.0.1:1', ''],
      ['op', 'federation.connect', '127.0.0.1:1', ''],
    ]);

    // `parley admin` reads the database beside the running server: known servers, not their live links.
    const env = { ...process.env, PARLEY_CONFIG: '', PARLEY_SERVER_NAME: 'a.test' };
    const admin = (...args: string[]) => run(process.execPath, [PARLEY_BIN, 'admin', '--data-dir', aDir, ...args], { env });
    const { stdout } = await admin('peers');
    expect(stdout.trim().split('\n')).toEqual([`this server: a.test ${a.serverId}`, expect.stringMatching(new RegExp(`^b\\.test ${b.serverId} last seen \\S+Z at 127\\.0\\.0\\.1:${b.fedPort}$`))]);
    await expect(admin('connect', '127.0.0.1', String(b.fedPort))).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/held by the running server/) });
  });
});

describe('the federation commands where federation is off, and at the console', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop({ removeData: true });
    server = undefined;
  });

  it('answers FEDERATION_DISABLED in frames, text mode and at the console', async () => {
    server = await startTestServer();
    const owner = await frames(server.tcpPort, { cmd: 'register', name: 'root', password: PASSWORD });
    for (const [verb, args] of [['peers', {}], ['connect', { host: '127.0.0.1', port: 7001 }], ['disconnect', { server: 'b.test' }]] as const) {
      expect(await owner.request(verb, args), verb).toMatchObject({ ok: false, error: { name: 'FEDERATION_DISABLED', code: 7000 } });
    }
    // Arguments are checked before the handler, so a bad port is still BAD_ARGUMENTS here.
    expect(errorOf(await owner.request('connect', { host: '127.0.0.1', port: 0 }))).toBe('BAD_ARGUMENTS');
    const text = await TextClient.connect({ port: server.tcpPort });
    cleanups.push(() => text.close());
    expect(await text.command(`LOGIN root ${PASSWORD}`)).toMatch(/^OK welcome/);
    expect(await text.command('PEERS')).toMatch(/^ERR 7000 FEDERATION_DISABLED /);
    const out: string[] = [];
    const console = openConsoleSession(server.server.context, (chunk) => out.push(...chunk.split('\n').filter(Boolean)));
    await console.run('peers');
    console.close();
    expect(out).toEqual([expect.stringMatching(/^ERR 7000 FEDERATION_DISABLED /)]);
  });

  it('runs peers and connect at the console of a federating server, audited as the console', async () => {
    server = await startTestServer({ server_name: 'c.test', federation: { enabled: true, listen: ['127.0.0.1:0'] } });
    // An address where nothing listens: the link never comes up, so it stays among those dialed.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const out: string[] = [];
    const console = openConsoleSession(server.server.context, (chunk) => out.push(...chunk.split('\n').filter(Boolean)));
    const id = server.server.context.federation!.identity.id;
    await console.run('peers');
    await console.run(`connect 127.0.0.1 ${port}`);
    await console.run('peers');
    console.close();
    expect(out).toEqual([`SELF c.test ${id}`, 'OK PEERS 0', `OK CONNECT 127.0.0.1:${port}`, `SELF c.test ${id}`, `DIALING 127.0.0.1:${port}`, 'OK PEERS 0']);
    const [entry] = await server.server.context.store.listAudit({ limit: 1 });
    expect(entry).toMatchObject({ actor: 'console', action: 'federation.connect', target: `127.0.0.1:${port}` });
  });
});
