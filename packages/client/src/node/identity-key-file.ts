import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fromBase64Url, importPrivateKeyPkcs8, importPublicKey } from '@parley/e2e';

/**
 * A user's end-to-end identity key in a file (PKCS#8 PEM, mode 0600, its directory 0700), as a
 * WebCrypto key pair for `ClientOptions.e2e.identity`. It certifies every device of the user, so
 * it is kept like a login key: a file others can read is refused. The private key is extractable
 * (Node reads it from the file anyway); a browser keeps its identity key non-extractable instead.
 */
const isMissing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOENT';

async function readKeyFile(file: string): Promise<KeyObject> {
  const mode = (await stat(file)).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) throw new Error(`${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  const key = createPrivateKey(await readFile(file));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 key`);
  return key;
}

/** Writes a new key; never overwrites one (a second caller that lost the race reads the winner's). */
async function createKeyFile(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  await writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException)?.code !== 'EEXIST') throw error;
  });
}

/** Reads the identity key in `file`; with `create`, makes it first when there is none. */
export async function nodeIdentityKey(file: string, options: { create?: boolean } = {}): Promise<CryptoKeyPair> {
  let key: KeyObject;
  try {
    key = await readKeyFile(file);
  } catch (error) {
    if (!(isMissing(error) && options.create)) throw error;
    await createKeyFile(file);
    key = await readKeyFile(file);
  }
  const pkcs8 = new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
  const x = createPublicKey(key).export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error(`${file}: no public key`);
  return { privateKey: await importPrivateKeyPkcs8(pkcs8, { extractable: true }), publicKey: await importPublicKey(fromBase64Url(x)) };
}
