
/**
 * An identity key file from another device: PKCS#8, as PEM (`-----BEGIN PRIVATE KEY-----`, what
 * the terminal client's `nodeIdentityKey` and `parley keys` write) or as DER. Read into a key pair
 * whose private half is non-extractable; the file's bytes are overwritten once read.
 */
export type IdentityFileProblem = 'not-a-key' | 'encrypted' | 'not-ed25519';

export class IdentityFileError extends Error {
  constructor(readonly problem: IdentityFileProblem) {
    super(`Not a usable identity key file: ${problem}`);
  }
}

const ED25519 = { name: 'Ed25519' } as const;

/** The Ed25519 algorithm identifier (1.3.101.112) as it appears in DER. */
const ED25519_OID = [0x06, 0x03, 0x2b, 0x65, 0x70];

function containsOid(der: Uint8Array): boolean {
  outer: for (let i = 0; i + ED25519_OID.length <= der.length; i++) {
    for (let j = 0; j < ED25519_OID.length; j++) if (der[i + j] !== ED25519_OID[j]) continue outer;
    return true;
  }
  return false;
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text.replace(/\s+/g, '')), (c) => c.charCodeAt(0));
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  return fromBase64(text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '='));
}

/** The PKCS#8 DER in a key file, or why it is not one. */
export function pkcs8FromFile(file: Uint8Array): Uint8Array {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(file);
  if (text.includes('-----BEGIN')) {
    if (/-----BEGIN (ENCRYPTED|OPENSSH|RSA|EC) PRIVATE KEY-----/.test(text)) throw new IdentityFileError(/ENCRYPTED/.test(text) ? 'encrypted' : 'not-ed25519');
    const body = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(text)?.[1];
    if (body === undefined) throw new IdentityFileError('not-a-key');
    let der: Uint8Array;
    try {
      der = fromBase64(body);
    } catch {
      throw new IdentityFileError('not-a-key');
    }
    return checked(der);
  }
  return checked(file.slice());
}

function checked(der: Uint8Array): Uint8Array {
  if (der[0] !== 0x30 || der.length < 40) throw new IdentityFileError('not-a-key');
  if (!containsOid(der)) throw new IdentityFileError('not-ed25519');
  return der;
}

/**
 * The key pair in a PKCS#8 Ed25519 key: the public half read through a JWK export of a
 * short-lived extractable copy (WebCrypto cannot derive it from a non-extractable key), the
 * private half imported again, non-extractable. `pkcs8` is zeroed.
 */
export async function importIdentityKeyPair(pkcs8: Uint8Array): Promise<CryptoKeyPair> {
  try {
    const subtle = globalThis.crypto.subtle;
    const der = new Uint8Array(pkcs8);
    const copy = await subtle.importKey('pkcs8', der, ED25519, true, ['sign']);
    const jwk = await subtle.exportKey('jwk', copy);
    if (typeof jwk.x !== 'string') throw new IdentityFileError('not-ed25519');
    const publicKey = await subtle.importKey('raw', fromBase64Url(jwk.x), ED25519, true, ['verify']);
    const privateKey = await subtle.importKey('pkcs8', der, ED25519, false, ['sign']);
    der.fill(0);
    return { publicKey, privateKey };
  } catch (error) {
    throw error instanceof IdentityFileError ? error : new IdentityFileError('not-ed25519');
  } finally {
    pkcs8.fill(0);
  }
}
