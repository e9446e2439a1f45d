import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeIdentityKey } from './identity-key-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('nodeIdentityKey', () => {
  it('makes a 0600 Ed25519 key file once and reads the same key pair back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-identity-'));
    dirs.push(dir);
    const file = join(dir, 'keys', 'identity.pem');
    await expect(nodeIdentityKey(file)).rejects.toThrow(/ENOENT/);
    const made = await nodeIdentityKey(file, { create: true });
    const again = await nodeIdentityKey(file, { create: true });
    const raw = async (pair: CryptoKeyPair) => new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    expect(await raw(again)).toEqual(await raw(made));
    const data = new TextEncoder().encode('certify this');
    const signature = await crypto.subtle.sign('Ed25519', again.privateKey, data);
    expect(await crypto.subtle.verify('Ed25519', made.publicKey, signature, data)).toBe(true);
    if (process.platform !== 'win32') {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      chmodSync(file, 0o644);
      await expect(nodeIdentityKey(file)).rejects.toThrow(/readable by others/);
    }
  });
});
