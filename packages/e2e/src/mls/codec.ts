import { decodeMlsMessage, encodeMlsMessage, type KeyPackage, type MLSMessage, type PrivateKeyPackage, type RatchetTree } from 'ts-mls';
import { decodeRatchetTree, encodeRatchetTree } from 'ts-mls/ratchetTree.js';
import { ByteReader, ByteWriter, bytesEqual } from '../bytes.ts';
import { E2eError, type E2eErrorCode } from '../errors.ts';

/**
 * Bytes in and out of ts-mls. Every decoder here works on a private copy of its input: ts-mls's
 * decoders return views into the buffer they were given (E2E.md pitfall 4), so a caller that
 * reuses or wipes its buffer would otherwise change keys inside our state. Every decoder also
 * refuses trailing bytes, so one message has one encoding.
 */

type Wire = MLSMessage['wireformat'];
export type MlsMessageOf<T extends Wire> = Extract<MLSMessage, { wireformat: T }>;

export function encodeMessage(message: MLSMessage): Uint8Array {
  return encodeMlsMessage(message);
}

/** Decodes an MLSMessage and checks its wire format (`mls_welcome`, `mls_key_package`, …). */
export function decodeMessage<T extends Wire>(bytes: Uint8Array, wireformats: readonly T[], code: E2eErrorCode = 'E2E_BAD_MESSAGE'): MlsMessageOf<T> {
  const copy = bytes.slice();
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(copy, 0);
  } catch (cause) {
    throw new E2eError(code, 'not an MLS message', { cause });
  }
  if (decoded === undefined || decoded[1] !== copy.length) throw new E2eError(code, 'not an MLS message (or trailing bytes)');
  const message = decoded[0];
  if (message.version !== 'mls10') throw new E2eError(code, `MLS version ${message.version} is not supported`);
  if (!(wireformats as readonly Wire[]).includes(message.wireformat)) throw new E2eError(code, `expected ${wireformats.join(' or ')}, got ${message.wireformat}`);
  return message as MlsMessageOf<T>;
}

export function encodeKeyPackageMessage(keyPackage: KeyPackage): Uint8Array {
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage });
}

export function decodeKeyPackageMessage(bytes: Uint8Array): KeyPackage {
  return decodeMessage(bytes, ['mls_key_package'], 'E2E_BAD_KEY_PACKAGE').keyPackage;
}

/** The ratchet tree goes to joiners beside the Welcome, not inside it (E2E.md, "Costs"). */
export function encodeTree(tree: RatchetTree): Uint8Array {
  return encodeRatchetTree(tree);
}

export function decodeTree(bytes: Uint8Array): RatchetTree {
  const copy = bytes.slice();
  let decoded: [RatchetTree, number] | undefined;
  try {
    decoded = decodeRatchetTree(copy, 0);
  } catch (cause) {
    throw new E2eError('E2E_BAD_MESSAGE', 'not a ratchet tree', { cause });
  }
  if (decoded === undefined || decoded[1] !== copy.length) throw new E2eError('E2E_BAD_MESSAGE', 'not a ratchet tree (or trailing bytes)');
  return decoded[0];
}

/**
 * A KeyPackage with its private keys, as the device keeps it until a Welcome uses it. Secret:
 * store it like group state (sealed in a browser, a 0600 file in Node).
 *
 *     "PKB" u8(version=1) bytes(KeyPackage MLSMessage) bytes(init key) bytes(HPKE key) bytes(signature key)
 */
const BUNDLE_MAGIC = new TextEncoder().encode('PKB');
const MAX_KEY_BYTES = 1024;
const MAX_KEY_PACKAGE_BYTES = 64 * 1024;

export function encodeKeyPackageBundle(keyPackage: KeyPackage, secrets: PrivateKeyPackage): Uint8Array {
  return new ByteWriter()
    .raw(BUNDLE_MAGIC)
    .u8(1)
    .bytes(encodeKeyPackageMessage(keyPackage))
    .bytes(secrets.initPrivateKey)
    .bytes(secrets.hpkePrivateKey)
    .bytes(secrets.signaturePrivateKey)
    .finish();
}

export function decodeKeyPackageBundle(bytes: Uint8Array): { keyPackage: KeyPackage; secrets: PrivateKeyPackage } {
  const reader = new ByteReader(bytes, () => new E2eError('E2E_BAD_STATE', 'not a KeyPackage bundle'));
  if (!bytesEqual(reader.raw(BUNDLE_MAGIC.length), BUNDLE_MAGIC) || reader.u8() !== 1) throw new E2eError('E2E_BAD_STATE', 'not a KeyPackage bundle (version 1)');
  const keyPackage = decodeKeyPackageMessage(reader.bytes(MAX_KEY_PACKAGE_BYTES));
  const secrets = { initPrivateKey: reader.bytes(MAX_KEY_BYTES), hpkePrivateKey: reader.bytes(MAX_KEY_BYTES), signaturePrivateKey: reader.bytes(MAX_KEY_BYTES) };
  reader.end();
  return { keyPackage, secrets };
}

/** What the Delivery Service may read of a handshake or application message: its cleartext header. */
export interface MlsHeader {
  wireformat: 'mls_private_message' | 'mls_public_message';
  groupId: Uint8Array;
  epoch: number;
  contentType: 'application' | 'proposal' | 'commit';
}

/**
 * The cleartext header of a PrivateMessage or PublicMessage (RFC 9420 §6): group, epoch and
 * content type travel unencrypted so the server can order and route without reading anything.
 */
export function mlsHeader(bytes: Uint8Array): MlsHeader {
  const message = decodeMessage(bytes, ['mls_private_message', 'mls_public_message']);
  const head = message.wireformat === 'mls_private_message' ? message.privateMessage : message.publicMessage.content;
  return { wireformat: message.wireformat, groupId: head.groupId, epoch: Number(head.epoch), contentType: head.contentType as MlsHeader['contentType'] };
}

/** Checks that the bytes are one Welcome (the server routes them; only the joiner can open them). */
export function assertWelcome(bytes: Uint8Array): void {
  decodeMessage(bytes, ['mls_welcome']);
}
