import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParleyClient } from '@parley/client';
import { KnownHosts, nodeLoginKey, nodeTransport } from '@parley/client/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyProofPayload, type KeyProofPurpose, type Reply } from '@parley/protocol';
import { FrameClient, startTestServer, type TestServer, type TestTransport } from '../src/index.ts';

/**
 * Key login over real TLS, TCP and WebSocket connections: a single-use challenge bound to the
 * server's name, the purpose and (on TLS) the connection's tls-exporter, signed with Ed25519.
 */
const PARLEY_BIN = fileURLToPath(new URL('../../cli/bin/parley-dev.js', import.meta.url));
let server: TestServer;
const open: FrameClient[] = [];

beforeAll(async () => {
  // Every check runs on a fresh connection, all from 127.0.0.1.
  server = await startTestServer({ server_name: 'keys.test', limits: { max_connections_per_ip: 500 } });
});
afterAll(async () => {
  for (const c of open) c.close();
  await server.stop({ removeData: true });
});

interface Pair {
  publicKey: string;
  privateKey: KeyObject;
}
function keyPair(): Pair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: publicKey.export({ format: 'jwk' }).x as string, privateKey };
}

async function connect(transport: TestTransport = 'tls'): Promise<FrameClient> {
  const port = transport === 'tls' ? server.tlsPort : transport === 'tcp' ? server.tcpPort : server.httpPort;
  const client = await FrameClient.open({ transport, codec: 'json', port }, false);
  open.push(client);
  return client;
}

/** Asks this connection's challenge and signs it as an honest client does. */
async function proof(client: FrameClient, pair: Pair, { purpose, name, ...tamper }: { purpose: KeyProofPurpose; name: string; binding?: string; server?: string }) {
  const challenge = (await client.ok('challenge')) as { nonce: string; server: string; binding: string };
  const binding = tamper.binding ?? (challenge.binding === 'tls-exporter' ? client.channelBinding()!.toString('base64url') : 'none');
  const payload = keyProofPayload({ purpose, server: tamper.server ?? challenge.server, name, nonce: challenge.nonce, binding });
  return { key: pair.publicKey, signature: sign(null, payload, pair.privateKey).toString('base64url') };
}

const errorOf = (reply: Reply) => (reply.ok ? 'ok' : reply.error.name);

describe('key login', () => {
  it('registers an account that is a key pair and logs in with it over TLS, TCP and WebSocket', async () => {
    const pair = keyPair();
    const first = await connect('tls');
    const challenge = (await first.ok('challenge')) as Record<string, unknown>;
    expect(challenge).toMatchObject({ server: 'keys.test', binding: 'tls-exporter', expiresInMs: 60_000 });
    expect(challenge.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await first.ok('register', { name: 'kira', ...(await proof(first, pair, { purpose: 'register', name: 'kira' })) })).toMatchObject({ name: 'kira', kind: 'account' });
    const keys = (await first.ok('keys')) as { keys: { key: string; label: string }[] };
    expect(keys.keys.map((k) => k.key)).toEqual([pair.publicKey]);

    for (const transport of ['tls', 'tcp', 'ws'] as const) {
      const again = await connect(transport);
      const reply = await again.request('login', { name: 'KIRA', ...(await proof(again, pair, { purpose: 'login', name: 'kira' })) });
      expect(errorOf(reply), transport).toBe('ok');
    }
    // The account has no password: none logs in (and the refusal is the usual one).
    const guess = await connect('tcp');
    expect(errorOf(await guess.request('login', { name: 'kira', password: 'anything-at-all' }))).toBe('BAD_CREDENTIALS');
  });

  it('refuses a replayed, misdirected, relayed or foreign signature, and a proof without a challenge', async () => {
    const pair = keyPair();
    const owner = await connect();
    await owner.ok('register', { name: 'rhea', ...(await proof(owner, pair, { purpose: 'register', name: 'rhea' })) });

    const c = await connect();
    const good = await proof(c, pair, { purpose: 'login', name: 'rhea' });
    expect(errorOf(await c.request('login', { name: 'rhea', ...good }))).toBe('ok');
    // The same signature again: its challenge is used up, and a new one makes it stale.
    const d = await connect();
    expect(errorOf(await d.request('login', { name: 'rhea', ...good }))).toBe('CHALLENGE_REQUIRED');
    await d.ok('challenge');
    expect(errorOf(await d.request('login', { name: 'rhea', ...good }))).toBe('BAD_CREDENTIALS');
    // Signed for another purpose, another server, or with the binding stripped (a relay through
    // a machine in the middle sees a different exporter): all fail on this connection.
    for (const tamper of [{ purpose: 'addkey' as const }, { server: 'evil.example' }, { binding: 'none' }]) {
      const e = await connect();
      const signed = await proof(e, pair, { purpose: 'login', name: 'rhea', ...tamper });
      expect(errorOf(await e.request('login', { name: 'rhea', ...signed })), JSON.stringify(tamper)).toBe('BAD_CREDENTIALS');
    }
    // Someone else's key, signing correctly for rhea's name.
    const mallory = keyPair();
    const f = await connect();
    expect(errorOf(await f.request('login', { name: 'rhea', ...(await proof(f, mallory, { purpose: 'login', name: 'rhea' })) }))).toBe('BAD_CREDENTIALS');
    // The same key cannot make a second account.
    const g = await connect();
    expect(errorOf(await g.request('register', { name: 'rhea2', ...(await proof(g, pair, { purpose: 'register', name: 'rhea2' })) }))).toBe('KEY_TAKEN');
    const h = await connect();
    expect(errorOf(await h.request('register', { name: 'rhea3', ...(await proof(h, mallory, { purpose: 'login', name: 'rhea3' })) }))).toBe('KEY_PROOF_INVALID');
  });

  it('rejects malformed keys and signatures, and a key without a signature, as BAD_ARGUMENTS', async () => {
    const c = await connect();
    const key = keyPair().publicKey;
    for (const args of [
      { name: 'x', key: 'short', signature: 'A'.repeat(86) },
      { name: 'x', key, signature: 'A'.repeat(85) },
      { name: 'x', key },
      { name: 'x', key, signature: 'A'.repeat(86), password: 'also-a-password' },
      { name: 'x', key: 42, signature: 'A'.repeat(86) },
    ]) {
      expect(errorOf(await c.request('login', args)), JSON.stringify(args)).toBe('BAD_ARGUMENTS');
    }
    // A well-formed key that is not a point on the curve simply does not verify.
    await c.ok('challenge');
    expect(errorOf(await c.request('register', { name: 'nopoint', key: `${'_'.repeat(42)}w`, signature: 'A'.repeat(86) }))).toBe('KEY_PROOF_INVALID');
  });

  it('adds a key to a password account, removes it (closing its connections), and bans a key', async () => {
    const owner = await connect();
    await owner.ok('register', { name: 'paula', password: 'paula-password' });
    const pair = keyPair();
    const added = await owner.ok('addkey', { ...(await proof(owner, pair, { purpose: 'addkey', name: 'paula' })), label: 'laptop' });
    expect(added).toMatchObject({ key: pair.publicKey, label: 'laptop' });

    const viaKey = await connect();
    await viaKey.ok('login', { name: 'paula', ...(await proof(viaKey, pair, { purpose: 'login', name: 'paula' })) });
    expect(((await viaKey.ok('keys')) as { keys: unknown[] }).keys).toHaveLength(1);
    const removed = await owner.ok('removekey', { key: pair.publicKey });
    expect(removed).toEqual({ key: pair.publicKey, sessions: 1 });
    const closedWith = await viaKey.event((e) => e.ev === 'error');
    expect(closedWith).toMatchObject({ error: { name: 'DEVICE_REVOKED' } });
    const after = await connect();
    expect(errorOf(await after.request('login', { name: 'paula', ...(await proof(after, pair, { purpose: 'login', name: 'paula' })) }))).toBe('BAD_CREDENTIALS');
    expect(errorOf(await owner.request('removekey', { key: pair.publicKey }))).toBe('NO_SUCH_KEY');

    // A banned key: its live connection closes, and it cannot log in again.
    const banned = keyPair();
    await owner.ok('addkey', { ...(await proof(owner, banned, { purpose: 'addkey', name: 'paula' })) });
    const live = await connect();
    await live.ok('login', { name: 'paula', ...(await proof(live, banned, { purpose: 'login', name: 'paula' })) });
    const operator = await connect();
    await operator.ok('register', { name: 'opal', password: 'opal-password' });
    await operator.ok('oper', { password: server.operPassword() });
    await operator.ok('ban', { target: `key:${banned.publicKey}`, reason: 'stolen laptop' });
    await live.event((e) => e.ev === 'error' && e.error.name === 'BANNED');
    const retry = await connect();
    expect(errorOf(await retry.request('login', { name: 'paula', ...(await proof(retry, banned, { purpose: 'login', name: 'paula' })) }))).toBe('BANNED');
    // The password still works: the ban is on the key.
    expect(errorOf(await (await connect()).request('login', { name: 'paula', password: 'paula-password' }))).toBe('ok');
  });

  it('keeps keys an account thing: guests get FORBIDDEN, and addkey needs a proof of the key', async () => {
    const guest = await connect();
    await guest.ok('guest', { name: 'gwen' });
    expect(errorOf(await guest.request('keys'))).toBe('FORBIDDEN');
    const owner = await connect();
    await owner.ok('register', { name: 'olga', password: 'olga-password' });
    const pair = keyPair();
    expect(errorOf(await owner.request('addkey', { key: pair.publicKey, signature: 'A'.repeat(86) }))).toBe('CHALLENGE_REQUIRED');
    await owner.ok('challenge');
    expect(errorOf(await owner.request('addkey', { key: pair.publicKey, signature: 'A'.repeat(86) }))).toBe('KEY_PROOF_INVALID');
    // Someone else's key (proven by its holder on their own account) cannot be added to olga's.
    const other = await connect();
    await other.ok('register', { name: 'otto', ...(await proof(other, pair, { purpose: 'register', name: 'otto' })) });
    expect(errorOf(await owner.request('addkey', await proof(owner, pair, { purpose: 'addkey', name: 'olga' })))).toBe('KEY_TAKEN');
  });
});

describe('key login from the SDK and parley chat', () => {
  it('the SDK registers with a key, logs in with it over TLS (bound) and WebSocket, and reconnects with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-keys-'));
    try {
      const key = nodeLoginKey(generateKeyPairSync('ed25519').privateKey);
      const transport = nodeTransport({ knownHosts: new KnownHosts(join(dir, 'known_hosts')), acceptNew: true });
      const first = new ParleyClient({ url: `tls://127.0.0.1:${server.tlsPort}`, transport, credentials: { kind: 'key', name: 'sdkkey', key, register: true } });
      expect(await first.connect()).toMatchObject({ name: 'sdkkey', kind: 'account' });
      expect((await first.request('keys', {})).keys.map((k) => k.key)).toEqual([key.publicKey]);
      await first.close();
      const ws = new ParleyClient({ url: `ws://127.0.0.1:${server.httpPort}/ws`, transport, credentials: { kind: 'key', name: 'sdkkey', key } });
      await ws.connect();
      await ws.close();
      const wrong = new ParleyClient({ url: `tls://127.0.0.1:${server.tlsPort}`, transport, credentials: { kind: 'key', name: 'sdkkey', key: nodeLoginKey(generateKeyPairSync('ed25519').privateKey) } });
      await expect(wrong.connect()).rejects.toMatchObject({ errorName: 'BAD_CREDENTIALS' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parley keys makes a 0600 key that parley chat --key registers and logs in with; a key others can read is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-keys-'));
    const env = { ...process.env, PARLEY_KEYS_DIR: join(dir, 'keys'), PARLEY_KNOWN_HOSTS: join(dir, 'known_hosts') };
    // Asynchronous: the server under test runs in this process and must keep answering.
    const parley = (args: string[], input = '') =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [PARLEY_BIN, ...args], { env });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
        child.stdin.end(input);
      });
    try {
      const made = await parley(['keys', 'new', 'laptop']);
      expect(made.status, made.stderr).toBe(0);
      const publicKey = made.stdout.split(/\s+/)[0]!;
      expect(publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(statSync(join(dir, 'keys', 'laptop.key')).mode & 0o777).toBe(0o600);
      expect((await parley(['keys', 'new', 'laptop'])).status).toBe(1);
      expect((await parley(['keys', 'list'])).stdout).toContain(`laptop  ${publicKey}`);
      expect((await parley(['keys', 'export', 'laptop'])).stdout.trim()).toBe(publicKey);

      const url = `tls://127.0.0.1:${server.tlsPort}`;
      const registered = await parley(['chat', '--plain', url, '--name', 'kim', '--key', 'laptop', '--register', '--accept-new'], '/quit\n');
      expect(registered.stderr).toMatch(/connected to tls:\/\/127\.0\.0\.1:\d+ as kim \(account\)/);
      const again = await parley(['chat', '--plain', url, '--name', 'kim', '--key', join(dir, 'keys', 'laptop.key')], '/quit\n');
      expect(again.stderr).toMatch(/as kim \(account\)/);

      chmodSync(join(dir, 'keys', 'laptop.key'), 0o644);
      const refused = await parley(['chat', '--plain', url, '--name', 'kim', '--key', 'laptop'], '/quit\n');
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/readable by others/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
