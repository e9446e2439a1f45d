import { ByteReader, ByteWriter, bytesEqual, concatBytes } from './bytes.ts';
import { E2eError, type CredentialProblem } from './errors.ts';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, verifySignature, type IdentitySigner } from './identity.ts';

/**
 * A device certificate: the user's identity key vouches that a device key belongs to that user.
 * It is the MLS credential of every leaf (src/mls/auth-service.ts checks it), so its bytes must be
 * canonical: one encoding per certificate, no optional fields, no trailing bytes.
 *
 * Encoding, version 1 (big-endian; `string` is a u32 byte length then UTF-8):
 *
 *     "PDC" u8(version=1) string(userId) string(deviceId)
 *     deviceKey[32] identityKey[32] u64(createdMs) u64(expiresMs)   -- the signed part
 *     signature[64]                                                 -- Ed25519 by identityKey
 *
 * The identity key signs "parley-device-certificate\n" followed by the signed part. The prefix
 * keeps a certificate signature from ever verifying as another Parley signature made by the same
 * key (a login key proof starts "parley-key-proof-v1\n", packages/protocol/src/key-proof.ts).
 */
export interface DeviceCertificate {
  readonly version: 1;
  readonly userId: string;
  readonly deviceId: string;
  readonly deviceKey: Uint8Array;
  readonly identityKey: Uint8Array;
  /** Unix milliseconds. */
  readonly created: number;
  readonly expires: number;
}

const MAGIC = new TextEncoder().encode('PDC');
const SIGNING_CONTEXT = new TextEncoder().encode('parley-device-certificate\n');
const VERSION = 1;
const MAX_ID_BYTES = 256;
export const DEFAULT_CERTIFICATE_LIFETIME_MS = 365 * 24 * 3600_000;
/** Clocks disagree; a certificate made a few minutes "in the future" by its device is still fine. */
const CLOCK_SKEW_MS = 5 * 60_000;

function encodeSignedPart(cert: DeviceCertificate): Uint8Array {
  return new ByteWriter()
    .raw(MAGIC)
    .u8(cert.version)
    .string(cert.userId)
    .string(cert.deviceId)
    .raw(cert.deviceKey)
    .raw(cert.identityKey)
    .u64(cert.created)
    .u64(cert.expires)
    .finish();
}

function checkFields(fields: { userId: string; deviceId: string; deviceKey: Uint8Array; created: number; expires: number }): void {
  const encoder = new TextEncoder();
  for (const [name, value] of [['userId', fields.userId], ['deviceId', fields.deviceId]] as const) {
    const length = encoder.encode(value).length;
    if (length === 0 || length > MAX_ID_BYTES) throw new E2eError('E2E_BAD_CREDENTIAL', `${name} must be 1-${MAX_ID_BYTES} bytes`, { problem: 'malformed' });
  }
  if (fields.deviceKey.length !== PUBLIC_KEY_BYTES) throw new E2eError('E2E_BAD_KEY', `a device key is ${PUBLIC_KEY_BYTES} bytes`);
  if (!Number.isSafeInteger(fields.created) || !Number.isSafeInteger(fields.expires) || fields.created < 0 || fields.expires <= fields.created) {
    throw new E2eError('E2E_BAD_CREDENTIAL', 'a certificate expires after it is created', { problem: 'malformed' });
  }
}

/** Signs a certificate for `deviceKey` (raw public key) with the user's identity key. */
export async function issueDeviceCertificate(
  identity: IdentitySigner,
  device: { userId: string; deviceId: string; deviceKey: Uint8Array; created?: number; lifetimeMs?: number },
): Promise<Uint8Array> {
  const created = device.created ?? Date.now();
  const fields = { ...device, created, expires: created + (device.lifetimeMs ?? DEFAULT_CERTIFICATE_LIFETIME_MS) };
  checkFields(fields);
  const cert: DeviceCertificate = { version: VERSION, userId: device.userId, deviceId: device.deviceId, deviceKey: device.deviceKey, identityKey: identity.publicKey, created, expires: fields.expires };
  const signedPart = encodeSignedPart(cert);
  const signature = await identity.sign(concatBytes(SIGNING_CONTEXT, signedPart));
  return concatBytes(signedPart, signature);
}

function refuse(problem: CredentialProblem, message: string): E2eError {
  return new E2eError('E2E_BAD_CREDENTIAL', message, { problem });
}

/**
 * Reads a certificate without checking its signature: for showing who a leaf claims to be. Only
 * verifyDeviceCertificate makes the claim worth anything.
 */
export function decodeDeviceCertificate(bytes: Uint8Array): DeviceCertificate {
  const reader = new ByteReader(bytes, () => refuse('malformed', 'malformed device certificate'));
  if (!bytesEqual(reader.raw(MAGIC.length), MAGIC)) throw refuse('malformed', 'not a Parley device certificate');
  const version = reader.u8();
  if (version !== VERSION) throw refuse('unsupported-version', `device certificate version ${version} is not supported`);
  const userId = reader.string(MAX_ID_BYTES);
  const deviceId = reader.string(MAX_ID_BYTES);
  const deviceKey = reader.raw(PUBLIC_KEY_BYTES);
  const identityKey = reader.raw(PUBLIC_KEY_BYTES);
  const created = reader.u64();
  const expires = reader.u64();
  reader.raw(SIGNATURE_BYTES);
  reader.end();
  const cert: DeviceCertificate = { version, userId, deviceId, deviceKey, identityKey, created, expires };
  checkFields(cert);
  return cert;
}

/**
 * Checks that the certificate is canonical, signed by the identity key it names and valid at
 * `now`. It does NOT say that identity key is the right one for `userId`: that is the caller's
 * trust decision (a pinned or verified key), which the MLS auth service asks its TrustPolicy.
 */
export async function verifyDeviceCertificate(bytes: Uint8Array, options?: { now?: number }): Promise<DeviceCertificate> {
  const cert = decodeDeviceCertificate(bytes);
  const signedLength = bytes.length - SIGNATURE_BYTES;
  const signature = bytes.subarray(signedLength);
  const ok = await verifySignature(cert.identityKey, signature, concatBytes(SIGNING_CONTEXT, bytes.subarray(0, signedLength)));
  if (!ok) throw refuse('bad-signature', `the certificate of ${cert.userId}/${cert.deviceId} is not signed by the identity key it names`);
  const now = options?.now ?? Date.now();
  if (now >= cert.expires) throw refuse('expired', `the certificate of ${cert.userId}/${cert.deviceId} expired at ${new Date(cert.expires).toISOString()}`);
  if (cert.created > now + CLOCK_SKEW_MS) throw refuse('not-yet-valid', `the certificate of ${cert.userId}/${cert.deviceId} is not valid yet`);
  return cert;
}
