import { copyBytes, fromBase64Url, toBase64Url } from './bytes.ts';
import { E2eError } from './errors.ts';

/**
 * Ed25519 keys through WebCrypto (`globalThis.crypto.subtle`: Node 20 and Chromium have it
 * natively), so the same code runs in the SDK, the terminal client and the browser.
 *
 * Two kinds of key, both Ed25519:
 * - the identity key, one per user: it only signs device certificates, so a browser can keep it
 *   non-extractable in IndexedDB;
 * - the device key, one per device: it is the MLS signature key of that device's leaf. ts-mls 1.6
 *   signs with the raw private key bytes kept in the group state (E2E.md pitfall 10), so it has to
 *   be extractable until a custom crypto provider signs with a CryptoKey instead.
 *
 * Public keys travel as their raw 32 bytes (RFC 8032 encoding), in text as 43 base64url
 * characters: the same form login keys already use on the wire (docs/protocol.md, "Keys").
 * Private keys leave WebCrypto only through exportPrivateKeyPkcs8, for key files.
 */

const ED25519 = { name: 'Ed25519' } as const;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

function subtle(): SubtleCrypto {
  return globalThis.crypto.subtle;
}

/**
 * Something that signs with an identity key: a WebCrypto key pair (identitySigner), or a key kept
 * elsewhere (a Node KeyObject, a hardware token) behind the same two members.
 */
export interface IdentitySigner {
  readonly publicKey: Uint8Array;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

async function generate(extractable: boolean): Promise<CryptoKeyPair> {
  const pair = await subtle().generateKey(ED25519, extractable, ['sign', 'verify']);
  if (!('privateKey' in pair)) throw new Error('Ed25519 generateKey did not return a key pair');
  return pair;
}

/** A user's identity key. Non-extractable unless asked (a CLI that writes a key file asks). */
export function generateIdentityKeyPair(options?: { extractable?: boolean }): Promise<CryptoKeyPair> {
  return generate(options?.extractable ?? false);
}

/** A device key: always extractable (see the module comment). */
export function generateDeviceKeyPair(): Promise<CryptoKeyPair> {
  return generate(true);
}

export async function identitySigner(pair: CryptoKeyPair): Promise<IdentitySigner> {
  const publicKey = await exportPublicKey(pair.publicKey);
  return {
    publicKey,
    sign: async (data) => new Uint8Array(await subtle().sign(ED25519, pair.privateKey, copyBytes(data))),
  };
}

export async function exportPublicKey(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await subtle().exportKey('raw', key));
}

export async function importPublicKey(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== PUBLIC_KEY_BYTES) throw new E2eError('E2E_BAD_KEY', `an Ed25519 public key is ${PUBLIC_KEY_BYTES} bytes, not ${raw.length}`);
  try {
    return await subtle().importKey('raw', copyBytes(raw), ED25519, true, ['verify']);
  } catch (cause) {
    throw new E2eError('E2E_BAD_KEY', 'not an Ed25519 public key', { cause });
  }
}

export function publicKeyToText(raw: Uint8Array): string {
  return toBase64Url(raw);
}

export function publicKeyFromText(text: string): Uint8Array {
  const raw = fromBase64Url(text);
  if (raw.length !== PUBLIC_KEY_BYTES) throw new E2eError('E2E_BAD_KEY', `an Ed25519 public key is ${PUBLIC_KEY_BYTES} bytes, not ${raw.length}`);
  return raw;
}

/**
 * The only way a private key leaves WebCrypto: PKCS#8 DER, for a key file the caller writes with
 * mode 0600. Fails for a non-extractable key, which is the point of making one.
 */
export async function exportPrivateKeyPkcs8(key: CryptoKey): Promise<Uint8Array> {
  if (!key.extractable) throw new E2eError('E2E_KEY_NOT_EXTRACTABLE', 'this private key is not extractable');
  return new Uint8Array(await subtle().exportKey('pkcs8', key));
}

export async function importPrivateKeyPkcs8(pkcs8: Uint8Array, options?: { extractable?: boolean }): Promise<CryptoKey> {
  try {
    return await subtle().importKey('pkcs8', copyBytes(pkcs8), ED25519, options?.extractable ?? false, ['sign']);
  } catch (cause) {
    throw new E2eError('E2E_BAD_KEY', 'not an Ed25519 PKCS#8 private key', { cause });
  }
}

/** Whether `signature` is `publicKey`'s Ed25519 signature of `data`. Malformed input is false. */
export async function verifySignature(publicKey: Uint8Array, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  try {
    const key = await subtle().importKey('raw', copyBytes(publicKey), ED25519, false, ['verify']);
    return await subtle().verify(ED25519, key, copyBytes(signature), copyBytes(data));
  } catch {
    return false;
  }
}
