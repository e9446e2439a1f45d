import { defaultCapabilities, generateKeyPackageWithKey, type KeyPackage } from 'ts-mls';
import { makeKeyPackageRef, verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { verifyLeafNodeSignatureKeyPackage } from 'ts-mls/leafNode.js';
import { bytesEqual, copyBytes } from '../bytes.ts';
import { decodeDeviceCertificate } from '../device-certificate.ts';
import { E2eError } from '../errors.ts';
import { exportPrivateKeyPkcs8, verifySignature } from '../identity.ts';
import { checkCredential, credentialFor, type MlsContext } from './auth-service.ts';
import { decodeKeyPackageMessage, decodeMessage, encodeKeyPackageBundle, encodeKeyPackageMessage } from './codec.ts';
import { CIPHER_SUITE, MAX_KEY_PACKAGE_LIFETIME_MS, suite } from './suite.ts';

/** A device as MLS sees it: its certificate (the credential) and its device private key. */
export interface MlsDevice {
  certificate: Uint8Array;
  /** Extractable Ed25519 private key whose public half the certificate names. */
  privateKey: CryptoKey;
}

export interface NewKeyPackage {
  /** The public KeyPackage as an MLSMessage: what the device uploads to the directory. */
  keyPackage: Uint8Array;
  /** KeyPackage plus its private keys: kept on the device (secret) until a Welcome uses it. */
  bundle: Uint8Array;
  /** RFC 9420 §5.2 KeyPackageRef: what a Welcome names its recipients by. */
  ref: Uint8Array;
}

export interface KeyPackageInfo {
  /** As this client's server names the user (MlsContext.localUserId). */
  userId: string;
  deviceId: string;
  identityKey: Uint8Array;
  deviceKey: Uint8Array;
  /** Unix milliseconds. */
  notBefore: number;
  notAfter: number;
  ref: Uint8Array;
}

/** A KeyPackage's lifetime starts this far back, so a peer whose clock runs behind accepts it. */
const CLOCK_SKEW_MS = 60 * 60_000;
export const DEFAULT_KEY_PACKAGE_LIFETIME_MS = 30 * 24 * 3600_000;

/** The raw private key bytes ts-mls signs with, after checking they belong to the certificate. */
export async function signingKeyBytes(device: MlsDevice): Promise<{ signKey: Uint8Array; publicKey: Uint8Array }> {
  if (!device.privateKey.extractable) throw new E2eError('E2E_KEY_NOT_EXTRACTABLE', 'the device key must be extractable for ts-mls 1.6');
  const cert = decodeDeviceCertificate(device.certificate);
  const probe = new TextEncoder().encode('parley-device-key-probe');
  const signature = new Uint8Array(await globalThis.crypto.subtle.sign('Ed25519', device.privateKey, probe));
  if (!(await verifySignature(cert.deviceKey, signature, probe))) {
    throw new E2eError('E2E_BAD_CREDENTIAL', 'the device private key does not match the certificate', { problem: 'key-mismatch' });
  }
  return { signKey: await exportPrivateKeyPkcs8(device.privateKey), publicKey: cert.deviceKey };
}

/**
 * Makes a one-time KeyPackage for this device. Its lifetime is at most 90 days (E2E.md pitfall 6)
 * and starts an hour back for clock skew. The device's own certificate is checked with the
 * same rules a peer applies, so a device never uploads what others would refuse.
 */
export async function createKeyPackage(device: MlsDevice, context: MlsContext, options?: { lifetimeMs?: number }): Promise<NewKeyPackage> {
  const lifetimeMs = options?.lifetimeMs ?? DEFAULT_KEY_PACKAGE_LIFETIME_MS;
  if (lifetimeMs <= CLOCK_SKEW_MS || lifetimeMs > MAX_KEY_PACKAGE_LIFETIME_MS) {
    throw new E2eError('E2E_KEY_PACKAGE_LIFETIME', `a KeyPackage lives more than an hour and at most ${MAX_KEY_PACKAGE_LIFETIME_MS / 86_400_000} days`);
  }
  const keys = await signingKeyBytes(device);
  const credential = credentialFor(device.certificate);
  await checkCredential(credential, keys.publicKey, context);
  const notBefore = Math.floor(((context.now ?? Date.now)() - CLOCK_SKEW_MS) / 1000);
  const lifetime = { notBefore: BigInt(notBefore), notAfter: BigInt(notBefore + Math.floor(lifetimeMs / 1000)) };
  const cs = await suite();
  const { publicPackage, privatePackage } = await generateKeyPackageWithKey(credential, defaultCapabilities(), lifetime, [], keys, cs);
  return {
    keyPackage: encodeKeyPackageMessage(publicPackage),
    bundle: encodeKeyPackageBundle(publicPackage, privatePackage),
    ref: await makeKeyPackageRef(publicPackage, cs.hash),
  };
}

/**
 * Everything a receiver checks before using a KeyPackage, as one call the server's KeyPackage
 * directory can also make on upload: suite, signatures, lifetime (now inside it, and at most 90
 * days long: ts-mls checks neither by default), distinct init and encryption keys, credential.
 */
export async function checkKeyPackage(keyPackage: KeyPackage, context: MlsContext): Promise<KeyPackageInfo> {
  if (keyPackage.version !== 'mls10' || keyPackage.cipherSuite !== CIPHER_SUITE) {
    throw new E2eError('E2E_BAD_KEY_PACKAGE', `KeyPackage for ${keyPackage.version} ${keyPackage.cipherSuite}, not mls10 ${CIPHER_SUITE}`);
  }
  const cs = await suite();
  const leaf = keyPackage.leafNode;
  if (leaf.leafNodeSource !== 'key_package' || !(await verifyLeafNodeSignatureKeyPackage(leaf, cs.signature)) || !(await verifyKeyPackage(keyPackage, cs.signature))) {
    throw new E2eError('E2E_BAD_KEY_PACKAGE', 'KeyPackage signature does not verify');
  }
  if (bytesEqual(keyPackage.initKey, leaf.hpkePublicKey)) throw new E2eError('E2E_BAD_KEY_PACKAGE', 'KeyPackage init key equals its encryption key');
  const notBefore = Number(leaf.lifetime.notBefore) * 1000;
  const notAfter = Number(leaf.lifetime.notAfter) * 1000;
  const now = (context.now ?? Date.now)();
  if (notAfter - notBefore > MAX_KEY_PACKAGE_LIFETIME_MS) throw new E2eError('E2E_KEY_PACKAGE_LIFETIME', 'KeyPackage lifetime is longer than 90 days');
  if (now < notBefore || now > notAfter) throw new E2eError('E2E_KEY_PACKAGE_LIFETIME', `KeyPackage is valid from ${new Date(notBefore).toISOString()} to ${new Date(notAfter).toISOString()}`);
  const { certificate: cert, userId } = await checkCredential(leaf.credential, leaf.signaturePublicKey, context);
  return { userId, deviceId: cert.deviceId, identityKey: cert.identityKey, deviceKey: cert.deviceKey, notBefore, notAfter, ref: await makeKeyPackageRef(keyPackage, cs.hash) };
}

/** checkKeyPackage on the uploaded bytes (an MLSMessage holding a KeyPackage). */
export async function inspectKeyPackage(bytes: Uint8Array, context: MlsContext): Promise<KeyPackageInfo> {
  return checkKeyPackage(decodeKeyPackageMessage(bytes), context);
}

/** The KeyPackageRefs a Welcome is addressed to: a device picks its bundle by them. */
export function welcomeRecipients(welcome: Uint8Array): Uint8Array[] {
  return decodeMessage(welcome, ['mls_welcome']).welcome.secrets.map((s) => copyBytes(s.newMember));
}
