import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Reply } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameClient, startTestServer, TextClient, type TestServer } from '../src/index.ts';

/**
 * A full disk and a read-only data dir, on real file systems: a small tmpfs filled to the last
 * byte, and a read-only bind mount. Mounting needs root (CAP_SYS_ADMIN); where it is refused
 * the tests skip and say why. Before: `register` on a full disk answered only "Internal server
 * error", and a read-only data dir stopped `parley serve` with "ENOENT ... mkdir".
 */
const cleanups: (() => void)[] = [];
let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** Runs `mount`; returns why it could not, or undefined when it worked (and schedules the umount). */
function mount(args: string[], target: string): string | undefined {
  try {
    execFileSync('mount', [...args, target], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return `cannot mount here (needs root with CAP_SYS_ADMIN): ${stderr || (error as Error).message}`;
  }
  cleanups.push(() => execFileSync('umount', ['-l', target]));
  return undefined;
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes until the file system refuses another byte (a short write first, then ENOSPC). */
function fillDisk(file: string): () => void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    expect((error as { code?: string }).code).toBe('ENOSPC');
  } finally {
    closeSync(fd);
  }
  // Deleting the closed file gives the space back.
  return () => rmSync(file);
}

const errorOf = (reply: Reply) => (reply.ok ? undefined : reply.error);
const PASSWORD = 'correct horse battery';

describe('a full disk', () => {
  it('every command that stores something answers STORE_FULL (retry); reads go on; after space is freed all works and nothing stored was lost', async (ctx) => {
    const mountPoint = tempDir('parley-full-');
    const refused = mount(['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs'], mountPoint);
    if (refused) return ctx.skip(refused);
    server = await startTestServer({ data_dir: join(mountPoint, 'data'), limits: { messages_per_minute: 6000, message_burst: 1000 } });
    const port = server.tcpPort;
    const owner = await FrameClient.open({ transport: 'tcp', codec: 'json', port }, { cmd: 'register', name: 'owner', password: PASSWORD });
    const member = await FrameClient.open({ transport: 'tcp', codec: 'json', port }, { cmd: 'register', name: 'member', password: PASSWORD });
    cleanups.push(() => owner.close(), () => member.close());
    await owner.ok('create', { room: '#keep' });
    await owner.ok('send', { to: '#keep', text: 'stored before the disk filled' });

    // Empty the WAL into the database first: a write then has to grow a file, which the full
    // disk refuses, instead of reusing WAL space left over from earlier writes.
    const db = new Database(join(server.dataDir, 'parley.db'));
    expect(db.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
    db.close();
    const freeSpace = fillDisk(join(mountPoint, 'filler'));

    const full = { code: 5002, name: 'STORE_FULL', action: 'retry' };
    const newcomer = await FrameClient.open({ transport: 'tcp', codec: 'json', port }, false);
    cleanups.push(() => newcomer.close());
    expect(errorOf(await newcomer.request('register', { name: 'newbie', password: PASSWORD }))).toMatchObject(full);
    expect(errorOf(await owner.request('send', { to: '#keep', text: 'lost?' }))).toMatchObject(full);
    expect(errorOf(await owner.request('send', { to: 'member', text: 'a direct message' }))).toMatchObject(full);
    expect(errorOf(await owner.request('create', { room: '#more' }))).toMatchObject(full);
    expect(errorOf(await member.request('join', { room: '#keep' }))).toMatchObject(full);
    expect(errorOf(await owner.request('topic', { room: '#keep', topic: 'new topic' }))).toMatchObject(full);
    expect(errorOf(await owner.request('ban', { target: 'mallory', duration: '1h' }))).toMatchObject(full);
    const message = errorOf(await newcomer.request('register', { name: 'newbie2', password: PASSWORD }))!.message;
    expect(message).toMatch(/disk is full/);
    expect(message).not.toMatch(/SQLITE|Internal/);
    const text = await TextClient.connect({ port });
    cleanups.push(() => text.close());
    expect(await text.command(`REGISTER texter ${PASSWORD}`)).toMatch(/^ERR 5002 STORE_FULL /);

    // What needs no write still works: a guest login, history.
    await FrameClient.open({ transport: 'tcp', codec: 'json', port }, { cmd: 'guest', name: 'visitor' }).then((c) => cleanups.push(() => c.close()));
    const before = (await owner.ok('history', { with: '#keep' })) as { messages: { text: string }[] };
    expect(before.messages.map((m) => m.text)).toEqual(['stored before the disk filled']);

    freeSpace();
    expect(await newcomer.request('register', { name: 'newbie', password: PASSWORD })).toMatchObject({ ok: true });
    await owner.ok('send', { to: '#keep', text: 'stored after space was freed' });
    await member.ok('join', { room: '#keep' });
    await owner.ok('topic', { room: '#keep', topic: 'new topic' });
    const after = (await member.ok('history', { with: '#keep' })) as { messages: { text: string; seq: number }[] };
    expect(after.messages.map((m) => m.text)).toEqual(['stored before the disk filled', 'stored after space was freed']);
    expect(after.messages.map((m) => m.seq)).toEqual([1, 2]); // no sequence number burnt by the failures
  });
});

// The sources, as every test but built-bin.test.ts runs them.
const CLI = fileURLToPath(new URL('../../cli/bin/parley-dev.js', import.meta.url));

/** Runs `parley serve` to its exit; resolves with the exit code and stderr. */
function serve(dataDir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir, '--tcp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--log-level', 'silent'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject).on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('a read-only data dir', () => {
  it('parley serve says the data directory is read-only, with its path, and exits non-zero', async (ctx) => {
    const source = tempDir('parley-ro-src-');
    mkdirSync(join(source, 'existing'));
    const mountPoint = tempDir('parley-ro-');
    const refused = mount(['--bind', '-o', 'ro', source], mountPoint);
    if (refused) return ctx.skip(refused);

    const missing = await serve(join(mountPoint, 'missing', 'data'));
    expect(missing.code, missing.stderr).toBe(73);
    expect(missing.stderr).toContain(`the data directory ${join(mountPoint, 'missing', 'data')} cannot be created: ${mountPoint} is on a read-only file system`);
    expect(missing.stderr).not.toContain('ENOENT');

    const existing = await serve(join(mountPoint, 'existing'));
    expect(existing.code, existing.stderr).toBe(73);
    expect(existing.stderr).toContain(`the data directory ${join(mountPoint, 'existing')} is on a read-only file system`);
  }, 60_000);
});
