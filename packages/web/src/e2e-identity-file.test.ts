import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IdentityFileError, importIdentityKeyPair, pkcs8FromFile } from './e2e-identity-file.ts';

const ed25519 = () => generateKeyPairSync('ed25519');
const problem = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof IdentityFileError ? error.problem : `not an IdentityFileError: ${String(error)}`;
  }
  return 'no error';
};

describe('identity key files', () => {
  it('reads PKCS#8 PEM (what nodeIdentityKey and parley keys write) and DER into a key pair whose private half is not extractable', async () => {
    const { privateKey, publicKey } = ed25519();
    const pem = new TextEncoder().encode(String(privateKey.export({ format: 'pem', type: 'pkcs8' })));
    const der = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
    expect(pkcs8FromFile(pem)).toEqual(der);
    expect(pkcs8FromFile(der)).toEqual(der);
    const pkcs8 = pkcs8FromFile(pem);
    const pair = await importIdentityKeyPair(pkcs8);
    expect(pair.privateKey.extractable).toBe(false);
    expect(pkcs8.every((b) => b === 0)).toBe(true);
    const raw = Buffer.from(await globalThis.crypto.subtle.exportKey('raw', pair.publicKey));
    expect(raw.toString('base64url')).toBe(publicKey.export({ format: 'jwk' }).x);
    const data = new TextEncoder().encode('signed');
    const signature = await globalThis.crypto.subtle.sign('Ed25519', pair.privateKey, data);
    expect(await globalThis.crypto.subtle.verify('Ed25519', pair.publicKey, signature, data)).toBe(true);
  });

  it('says what is wrong with a file that is not one', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    expect(problem(() => pkcs8FromFile(new TextEncoder().encode('just some notes')))).toBe('not-a-key');
    expect(problem(() => pkcs8FromFile(new TextEncoder().encode('-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n')))).toBe('not-a-key');
    expect(problem(() => pkcs8FromFile(new TextEncoder().encode('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n')))).toBe('encrypted');
    expect(problem(() => pkcs8FromFile(new TextEncoder().encode(String(rsa))))).toBe('not-ed25519');
    expect(problem(() => pkcs8FromFile(new TextEncoder().encode('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n')))).toBe('not-ed25519');
  });
});
