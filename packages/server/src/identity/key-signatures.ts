import { createPublicKey, verify } from 'node:crypto';

/**
 * Whether `signature` (base64url) is `key`'s Ed25519 signature of `data`; `key` is the raw public
 * key in base64url. Anything malformed is simply false: the caller says why the proof failed.
 */
export function verifyEd25519(key: string, data: Uint8Array, signature: string): boolean {
  try {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key }, format: 'jwk' });
    return verify(null, data, publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
