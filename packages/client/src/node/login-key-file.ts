import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LoginKey } from '../key-login.ts';

/** A LoginKey over a Node private key (Ed25519). */
export function nodeLoginKey(privateKey: KeyObject): LoginKey {
  const publicKey = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  if (privateKey.asymmetricKeyType !== 'ed25519' || typeof publicKey !== 'string') throw new Error('a login key is an Ed25519 key');
  return { publicKey, sign: async (data) => sign(null, data, privateKey) };
}

/**
 * Makes a new Ed25519 login key in `file` (PKCS#8 PEM, mode 0600, its directory 0700); never
 * overwrites one. Returns its public key as the server shows it.
 */
export function createLoginKeyFile(file: string): string {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  return nodeLoginKey(privateKey).publicKey;
}

/**
 * Reads a login key file. Like SSH, a private key others can read is refused: whoever could read
 * it can sign in as you.
 */
export function readLoginKeyFile(file: string): LoginKey {
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new Error(`${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  }
  return nodeLoginKey(createPrivateKey(readFileSync(file)));
}
