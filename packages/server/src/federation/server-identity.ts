import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Server ids are "ps1" then the base64url of the server's raw Ed25519 public key (43 characters). */
export const SERVER_ID_PREFIX = 'ps1';

/**
 * This server's federation identity: an Ed25519 key made at first start and kept in the data dir
 * (like the TLS key), and the id derived from its public key. Self-certifying: whoever holds an
 * id can check a signature against it without asking anyone, and nobody can claim an id without
 * its private key.
 */
export interface ServerIdentity {
  readonly id: string;
  /** The raw public key, base64url. */
  readonly publicKey: string;
  sign(data: Uint8Array): string;
}

export function serverIdOf(publicKey: string): string {
  return `${SERVER_ID_PREFIX}${publicKey}`;
}

/** The public key an id carries, or undefined for something that is not a server id. */
export function publicKeyOfServerId(id: string): string | undefined {
  if (!id.startsWith(SERVER_ID_PREFIX)) return undefined;
  const key = id.slice(SERVER_ID_PREFIX.length);
  if (!/^[A-Za-z0-9_-]{43}$/.test(key)) return undefined;
  // 43 characters carry 258 bits for a 32-byte key: only the canonical spelling (its last two
  // bits zero) is the id, or one key would answer to four ids (and slip past a denylist).
  return Buffer.from(key, 'base64url').toString('base64url') === key ? key : undefined;
}

function identityFrom(privateKey: KeyObject): ServerIdentity {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = String(jwk.x);
  return {
    id: serverIdOf(publicKey),
    publicKey,
    sign: (data) => sign(null, data, privateKey).toString('base64url'),
  };
}

/** Loads `<data dir>/federation/server-key.pem`, or makes it (mode 0600) the first time. */
export async function loadOrCreateServerIdentity(dataDir: string): Promise<ServerIdentity & { generated: boolean }> {
  const dir = join(dataDir, 'federation');
  const file = join(dir, 'server-key.pem');
  let generated = false;
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    await mkdir(dir, { recursive: true });
    await writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    generated = true;
  }
  const key = createPrivateKey(await readFile(file, 'utf8'));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 private key`);
  return { ...identityFrom(key), generated };
}

/** A throwaway identity (tests that need a server key without a data dir). */
export function ephemeralServerIdentity(): ServerIdentity {
  return identityFrom(generateKeyPairSync('ed25519').privateKey);
}
