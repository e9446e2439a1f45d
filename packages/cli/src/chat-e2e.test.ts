import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { accountDir, prepareE2e, serverDirName } from './chat-e2e.ts';
import { parseChatOptions, type ChatOptions } from './chat-options.ts';
import { identityKeys } from './identity-keys.ts';

const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cli-e2e-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const options = (args: string[], env: NodeJS.ProcessEnv) => parseChatOptions(['tls://chat.example.org', ...args], env) as ChatOptions;

describe("parley chat's end-to-end keys", () => {
  it('keeps them per server address and account, under PARLEY_E2E_DIR or ~/.parley/e2e', () => {
    expect(serverDirName('tls://chat.example.org')).toBe('chat.example.org:12345');
    expect(serverDirName('wss://[::1]:8443/ws')).toBe('[::1]:8443');
    expect(accountDir({ url: 'chat.example.org:7000', name: 'Alice' }, { PARLEY_E2E_DIR: '/keys' })).toBe('/keys/chat.example.org:7000/alice');
    expect(accountDir({ url: 'h', name: '../x' }, { PARLEY_E2E_DIR: '/keys' })).toBe('/keys/h:12345/..%2Fx');
    expect(accountDir({ url: 'h', name: 'bob' }, { HOME: '/home/bob' })).toMatch(/\.parley\/e2e\/h:12345\/bob$/);
  });

  it('makes the identity key (0600) at the first login, reads it after, and gives a second session at once a device of its own', async () => {
    const env = { PARLEY_E2E_DIR: temp(), PARLEY_PASSWORD: 'pw' };
    const first = await prepareE2e(options(['--name', 'alice'], env), env);
    const file = join(env.PARLEY_E2E_DIR, 'chat.example.org:12345', 'alice', 'identity.key');
    expect(first.created).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.options?.identity.privateKey.type).toBe('private');
    const again = await prepareE2e(options(['--name', 'alice', '--reset-identity'], env), env);
    expect(again.created).toBeUndefined();
    expect(again.options?.resetIdentity).toBe(true);
    // Another running process holds device/: this one takes device-2/.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      writeFileSync(join(env.PARLEY_E2E_DIR, 'chat.example.org:12345', 'alice', 'device.lock'), `${other.pid}\n`);
      const second = await prepareE2e(options(['--name', 'alice'], env), env);
      await second.options?.storage.set('probe', new Uint8Array([1]));
      expect(statSync(join(env.PARLEY_E2E_DIR, 'chat.example.org:12345', 'alice', 'device-2', 'probe')).isFile()).toBe(true);
    } finally {
      other.kill();
    }
  });

  it('gives a guest a fresh key in memory, nothing with --no-e2e, and says why a key file cannot be used', async () => {
    const env = { PARLEY_E2E_DIR: temp() };
    const guest = await prepareE2e(options(['--name', 'gus'], env), env);
    expect(guest.options?.identity.publicKey.type).toBe('public');
    expect(guest.created).toBeUndefined();
    expect(await prepareE2e(options(['--no-e2e'], env), env)).toEqual({});
    const pw = { ...env, PARLEY_PASSWORD: 'pw' };
    const file = join(env.PARLEY_E2E_DIR, 'chat.example.org:12345', 'carol', 'identity.key');
    await prepareE2e(options(['--name', 'carol'], pw), pw);
    const { chmodSync } = await import('node:fs');
    chmodSync(file, 0o644);
    expect((await prepareE2e(options(['--name', 'carol'], pw), pw)).failure).toMatch(/readable by others/);
  });

  it('parley keys export-identity and import-identity carry the key to another install', async () => {
    const laptop = { PARLEY_E2E_DIR: temp(), PARLEY_PASSWORD: 'pw' };
    const desktop = { PARLEY_E2E_DIR: temp() };
    await prepareE2e(options(['--name', 'alice'], laptop), laptop);
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(identityKeys('export-identity', ['chat.example.org', 'alice'], laptop)).toBe(0);
    const pem = out.join('');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const exported = join(temp(), 'identity.pem');
    writeFileSync(exported, pem);
    expect(identityKeys('import-identity', ['chat.example.org:12345', 'alice', exported], desktop)).toBe(0);
    const imported = join(desktop.PARLEY_E2E_DIR, 'chat.example.org:12345', 'alice', 'identity.key');
    expect(statSync(imported).mode & 0o777).toBe(0o600);
    expect(out.at(-1)).toMatch(/is now in .*identity\.key/);
    // The same key again is fine; another one needs --force.
    expect(identityKeys('import-identity', ['chat.example.org', 'alice', exported], desktop)).toBe(0);
    const bobPw = { ...laptop };
    await prepareE2e(options(['--name', 'bob'], bobPw), bobPw);
    expect(identityKeys('export-identity', ['chat.example.org', 'bob'], laptop)).toBe(0);
    writeFileSync(exported, out.at(-1)!);
    expect(() => identityKeys('import-identity', ['chat.example.org', 'alice', exported], desktop)).toThrow(/another identity key; --force/);
    expect(identityKeys('import-identity', ['chat.example.org', 'alice', exported, '--force'], desktop)).toBe(0);
    expect(identityKeys('export-identity', ['chat.example.org'], desktop)).toBe(2);
  });
});
