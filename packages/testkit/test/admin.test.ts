import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { ConfigSchema, ParleyServer } from '@parley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameClient, sleep, spawnServer, startTestServer, TextClient, waitFor, type TestServer } from '../src/index.ts';

/** `parley admin` against a running server's data dir, the operator password, reload. */
const PARLEY_BIN = fileURLToPath(new URL('../../cli/bin/parley-dev.js', import.meta.url));
const run = promisify(execFile);
const PASSWORD = 'password123';

async function admin(dataDir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [PARLEY_BIN, 'admin', '--data-dir', dataDir, ...args], { env: { ...process.env, PARLEY_CONFIG: '' } });
  return stdout;
}

let server: TestServer | undefined;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await server?.stop({ removeData: true });
  server = undefined;
});

async function frames(login: Record<string, unknown>): Promise<FrameClient> {
  const client = await FrameClient.open({ transport: 'tcp', codec: 'json', port: server!.tcpPort }, login as never);
  cleanups.push(() => client.close());
  return client;
}

describe('parley admin while the server runs', () => {
  it('grants and revokes roles, bans live users, and reads the audit log', async () => {
    server = await startTestServer({ moderation: { sync_interval_ms: 100, first_account_owner: false } });
    const bob = await frames({ cmd: 'register', name: 'bob', password: PASSWORD });
    const mallory = await frames({ cmd: 'register', name: 'mallory', password: PASSWORD });
    expect(await bob.request('serverinfo', {})).toMatchObject({ ok: false, error: { name: 'FORBIDDEN' } });

    expect(await admin(server.dataDir, 'grant', 'bob', 'operator')).toMatch(/bob is now operator/);
    // The running server notices within sync_interval_ms; bob's open connection gains the role.
    await waitFor(async () => (await bob.request('serverinfo', {})).ok, 'bob to become an operator');
    expect(await admin(server.dataDir, 'roles')).toMatch(/^bob operator \(by admin/m);

    expect(await admin(server.dataDir, 'ban', 'mallory', '1h', 'spamming')).toMatch(/banned account mallory until /);
    expect(await mallory.event((e) => e.ev === 'error', 5000)).toMatchObject({ error: { name: 'BANNED' } });
    expect(await admin(server.dataDir, 'bans')).toMatch(/^server account mallory by admin.* spamming$/m);

    expect(await admin(server.dataDir, 'revoke', 'bob')).toMatch(/bob is now a plain user/);
    await waitFor(async () => !(await bob.request('serverinfo', {})).ok, 'bob to lose the role');

    const audit = await admin(server.dataDir, 'audit', '--limit', '10');
    const actions = audit.trim().split('\n').map((line) => line.split(' ')[3]);
    expect(actions).toEqual(['role.revoke', 'ban', 'role.grant']);

    await expect(admin(server.dataDir, 'grant', 'nobody', 'operator')).rejects.toThrow(/no account named nobody/);
  }, 120_000); // seven CLI processes, each compiling TypeScript on start: slow on a loaded machine

  it('reloads a spawned server with SIGHUP through its pid file', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-admin-'));
    const configFile = join(dataDir, 'parley.toml');
    writeFileSync(configFile, 'motd = "before"\n');
    const spawned = await spawnServer({ dataDir, args: ['--config', configFile] });
    cleanups.push(async () => {
      spawned.kill();
      await spawned.exited;
      rmSync(dataDir, { recursive: true, force: true });
    });
    writeFileSync(configFile, 'motd = "after"\n[limits]\nmax_recipients = 7\n');
    expect(await admin(dataDir, 'reload')).toMatch(/asked server process \d+ to reload/);
    await waitFor(() => /reloaded \(2 setting\(s\) applied/.test(spawned.stderr()), () => `the reload; stderr:\n${spawned.stderr()}`);
    const client = await TextClient.connect({ port: spawned.tcpPort });
    cleanups.push(() => client.close());
    expect(await client.command('GUEST')).toMatch(/^OK welcome/);
    expect(await client.expect('NOTICE')).toBe('NOTICE after');
  });
});

describe('configuration reload in process', () => {
  it('applies live keys, reports the rest as needing a restart, and audits it', async () => {
    server = await startTestServer({ motd: 'old' });
    const next = ConfigSchema.parse({ ...server.config, motd: 'new', server_name: 'renamed', limits: { ...server.config.limits, max_recipients: 3 } });
    const plan = await server.server.reload(next, 'test');
    expect(plan.applied.sort()).toEqual(['limits.max_recipients', 'motd']);
    expect(plan.restartNeeded).toEqual(['server_name']);
    expect(server.server.context.config.motd).toBe('new');
    expect(server.server.context.config.server_name).toBe(server.config.server_name);
    const client = await frames({ cmd: 'guest' });
    expect(await client.request('send', { to: ['a', 'b', 'c', 'd'], text: 'x' })).toMatchObject({ ok: false, error: { name: 'TOO_MANY_RECIPIENTS' } });
    const audit = await server.server.context.store.listAudit({ limit: 1 });
    expect(audit[0]).toMatchObject({ actor: 'test', action: 'config.reload' });
  });
});

describe('reload of the connection timeouts', () => {
  it('applies a shorter handshake timeout to connections already open', async () => {
    server = await startTestServer({ limits: { handshake_timeout_ms: 8_000 } });
    const silent = netConnect({ host: '127.0.0.1', port: server.tcpPort });
    cleanups.push(() => void silent.destroy());
    const connectedAt = Date.now();
    const closed = new Promise<number>((resolve) => silent.on('close', () => resolve(Date.now() - connectedAt)));
    await server.server.reload(ConfigSchema.parse({ ...server.config, limits: { ...server.config.limits, handshake_timeout_ms: 100 } }), 'test');
    // The old timeout would have closed it after 8 s; the sweeper's next pass (at most 2 s away) uses the new one.
    expect(await closed).toBeLessThan(7_000);
    const { values } = await server.server.context.metrics.disconnects.get();
    expect(values.find((v) => v.labels.reason === 'HANDSHAKE_TIMEOUT')?.value).toBe(1);
  });
});

describe('reload of limits fixed by listeners before', () => {
  it('applies a new handshake timeout to TLS handshakes and a new frame limit to WebSocket connections', async () => {
    server = await startTestServer({ limits: { handshake_timeout_ms: 30_000 } });
    await server.server.reload(ConfigSchema.parse({ ...server.config, limits: { ...server.config.limits, handshake_timeout_ms: 300, max_frame_bytes: 1024 } }), 'test');
    // A TLS handshake that starts (a handshake record's first byte) and never finishes.
    const stalled = netConnect({ host: '127.0.0.1', port: server.tlsPort });
    cleanups.push(() => void stalled.destroy());
    const startedAt = Date.now();
    stalled.on('connect', () => stalled.write(Buffer.from([0x16, 0x03, 0x01])));
    const lasted = await new Promise<number>((resolve) => stalled.on('close', () => resolve(Date.now() - startedAt)));
    expect(lasted).toBeLessThan(20_000);
    const ws = await FrameClient.open({ transport: 'ws', codec: 'json', port: server.httpPort }, { cmd: 'guest' });
    cleanups.push(() => ws.close());
    ws.sendFrame({ cmd: 'send', to: '#general', text: 'x'.repeat(2000) });
    await ws.waitClosed();
    expect(ws.closeInfo.code).toBe(1009);
  });
});

describe('reload of the bans file and the TLS certificate', () => {
  it('re-reads both: file bans apply at once, new TLS and HTTPS connections get the new certificate', async () => {
    const other = await startTestServer();
    const otherFingerprint = other.server.fingerprint;
    const otherDir = other.dataDir;
    await other.stop();
    cleanups.push(() => rmSync(otherDir, { recursive: true, force: true }));

    server = await startTestServer({ http: { listen: ['127.0.0.1:0', 'https://127.0.0.1:0'] } });
    const before = server.server.fingerprint;
    expect(before).not.toBe(otherFingerprint);
    const bansFile = join(server.dataDir, 'bans.txt');
    writeFileSync(bansFile, '# troublemakers\nmallory  spam bot\n203.0.113.0/24\n10.0.0.0/99 an invalid line is skipped\n');
    const loaded = ConfigSchema.parse({
      ...server.config,
      tls: { cert_file: join(otherDir, 'tls', 'cert.pem'), key_file: join(otherDir, 'tls', 'key.pem') },
      moderation: { ...server.config.moderation, bans_file: bansFile },
    });
    const plan = await server.server.reload(loaded);
    expect(plan.applied.sort()).toEqual(['moderation.bans_file', 'tls.cert_file', 'tls.key_file']);
    expect(server.server.fingerprint).toBe(otherFingerprint);

    const peerFingerprint = (port: number) =>
      new Promise<string>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
          resolve(socket.getPeerCertificate().fingerprint256);
          socket.destroy();
        });
        socket.once('error', reject);
      });
    expect(await peerFingerprint(server.tlsPort)).toBe(otherFingerprint);
    // The HTTPS listener too.
    expect(await peerFingerprint(server.server.http.find((a) => a.tls)!.port)).toBe(otherFingerprint);

    const anon = await FrameClient.open({ transport: 'tcp', codec: 'json', port: server.tcpPort }, false);
    cleanups.push(() => anon.close());
    expect(await anon.request('guest', { name: 'mallory' })).toMatchObject({ ok: false, error: { name: 'BANNED', message: expect.stringContaining('spam bot') } });
    expect(server.server.context.moderation.bans.active().map((b) => [b.kind, b.value, b.createdBy])).toEqual([
      ['account', 'mallory', 'bans-file'],
      ['ip', '203.0.113.0/24', 'bans-file'],
    ]);
  });
});

describe('operator password', () => {
  it('elevates one connection, rotates, and refuses the old password', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-oper-'));
    const passwords: string[] = [];
    const config = ConfigSchema.parse({
      data_dir: dataDir,
      tcp: { listen: ['tcp://127.0.0.1:0'] },
      http: { listen: [] },
      accounts: { password_hash: 'scrypt' },
      moderation: { oper_password_rotate_minutes: 0.01 }, // 600 ms
    });
    const parley = await ParleyServer.start(config, { log: pino({ level: 'silent' }), onOperPassword: (p) => passwords.push(p) });
    cleanups.push(async () => {
      await parley.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const port = parley.tcp[0]!.port;
    expect(passwords).toHaveLength(1);
    const first = passwords[0]!;
    expect(first).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const guest = await FrameClient.open({ transport: 'tcp', codec: 'json', port }, { cmd: 'guest', name: 'visitor' });
    cleanups.push(() => guest.close());
    expect(await guest.request('serverinfo', {})).toMatchObject({ ok: false, error: { name: 'FORBIDDEN' } });
    expect(await guest.request('oper', { password: 'wrong' })).toMatchObject({ ok: false, error: { name: 'BAD_CREDENTIALS' } });
    expect(await guest.ok('oper', { password: first })).toEqual({ role: 'operator' });
    // One-time: using it replaced it.
    expect(passwords.length).toBeGreaterThanOrEqual(2);
    expect((await guest.ok('serverinfo')) as { connections: number }).toMatchObject({ connections: 1 });
    // Only this connection: another one of the same name is not elevated.
    const other = await FrameClient.open({ transport: 'tcp', codec: 'json', port }, { cmd: 'guest' });
    cleanups.push(() => other.close());
    expect(await other.request('serverinfo', {})).toMatchObject({ ok: false, error: { name: 'FORBIDDEN' } });

    expect(await other.request('oper', { password: first })).toMatchObject({ ok: false, error: { name: 'BAD_CREDENTIALS' } });
    // And the timer replaces an unused one.
    const issued = passwords.length;
    const unused = passwords.at(-1)!;
    await waitFor(() => passwords.length > issued, 'the password to rotate', 5000);
    expect(passwords.at(-1)).not.toBe(unused);
    await sleep(10);
    expect(await other.request('oper', { password: unused })).toMatchObject({ ok: false, error: { name: 'BAD_CREDENTIALS' } });
    expect(await other.ok('oper', { password: passwords.at(-1)! })).toEqual({ role: 'operator' });
    const audit = await parley.context.store.listAudit({ limit: 10 });
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['oper', 'oper.failed']));
  });
});
