import {
  decodeDeviceCertificate,
  exportPrivateKeyPkcs8,
  exportPublicKey,
  fromBase64Url,
  generateDeviceKeyPair,
  importPrivateKeyPkcs8,
  issueDeviceCertificate,
  toBase64Url,
  type IdentitySigner,
  type MlsDevice,
} from '@parley/e2e';
import type { ReplyData } from '@parley/protocol';
import { ParleyClientError } from '../errors.ts';
import { call, isClientError, type E2eEnv } from './context.ts';
import { readJson, STORAGE_KEYS, writeJson, type E2eStorage } from './storage.ts';

/** This device as stored: its key pair and certificate (base64url). Secret. */
interface DeviceRecord {
  deviceId: string;
  publicKey: string;
  /** PKCS#8: ts-mls 1.6 signs with raw key bytes, so the device key is extractable anyway. */
  privateKey: string;
  certificate?: string;
  /** The account removed this device (EREMOVEDEVICE from another one): it stays off. */
  removed?: true;
}

export interface LocalDevice {
  deviceId: string;
  /** As this server names the user; the certificate may name `certifiedId` (Self). */
  userId: string;
  publicKey: Uint8Array;
  privateKey: CryptoKey;
  certificate: Uint8Array;
  /** What MLS needs of it. */
  mls: MlsDevice;
}

/** A certificate this close to expiring is replaced at the next login. */
const RENEW_BEFORE_MS = 30 * 24 * 3600_000;

function randomDeviceId(): string {
  return `d${toBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(9)))}`;
}

async function newRecord(storage: E2eStorage, deviceId: string): Promise<DeviceRecord> {
  const pair = await generateDeviceKeyPair();
  const record: DeviceRecord = {
    deviceId,
    publicKey: toBase64Url(await exportPublicKey(pair.publicKey)),
    privateKey: toBase64Url(await exportPrivateKeyPkcs8(pair.privateKey)),
  };
  await writeJson(storage, STORAGE_KEYS.device, record);
  return record;
}

/** Whether a stored certificate still says what this login needs, with time to spare. */
function certificateFits(record: DeviceRecord, expected: { userId: string; identityKey: Uint8Array }): boolean {
  if (!record.certificate) return false;
  try {
    const cert = decodeDeviceCertificate(fromBase64Url(record.certificate));
    return (
      cert.userId === expected.userId &&
      cert.deviceId === record.deviceId &&
      toBase64Url(cert.deviceKey) === record.publicKey &&
      toBase64Url(cert.identityKey) === toBase64Url(expected.identityKey) &&
      cert.expires - Date.now() > RENEW_BEFORE_MS
    );
  } catch {
    return false;
  }
}

/**
 * This device's key and certificate: made the first time, kept in storage, the certificate
 * issued again (by the identity key) when it is missing, names another user id (a guest's id is
 * new at each login; a server that started federating names its users `<id>@<server id>`) or
 * another identity key, or is close to expiring. The certificate names `certifiedId`.
 */
export async function loadDevice(storage: E2eStorage, input: { identity: IdentitySigner; userId: string; certifiedId: string; deviceId?: string | undefined }): Promise<LocalDevice> {
  let record = await readJson<DeviceRecord>(storage, STORAGE_KEYS.device);
  if (record?.removed) throw ParleyClientError.local('E2E_DEVICE_REMOVED', `This device (${record.deviceId}) was removed from the account; use new storage to set it up again`);
  if (record && input.deviceId !== undefined && record.deviceId !== input.deviceId) {
    throw ParleyClientError.local('E2E_FAILED', `This storage belongs to device ${record.deviceId}, not ${input.deviceId}`);
  }
  record ??= await newRecord(storage, input.deviceId ?? randomDeviceId());
  const publicKey = fromBase64Url(record.publicKey);
  if (!certificateFits(record, { userId: input.certifiedId, identityKey: input.identity.publicKey })) {
    const certificate = await issueDeviceCertificate(input.identity, { userId: input.certifiedId, deviceId: record.deviceId, deviceKey: publicKey });
    record = { ...record, certificate: toBase64Url(certificate) };
    await writeJson(storage, STORAGE_KEYS.device, record);
  }
  const privateKey = await importPrivateKeyPkcs8(fromBase64Url(record.privateKey), { extractable: true });
  const certificate = fromBase64Url(record.certificate ?? '');
  return { deviceId: record.deviceId, userId: input.userId, publicKey, privateKey, certificate, mls: { certificate, privateKey } };
}

/** The account no longer lists this device: it must not register itself again. */
export async function markRemoved(storage: E2eStorage): Promise<void> {
  const record = await readJson<DeviceRecord>(storage, STORAGE_KEYS.device);
  if (record) await writeJson(storage, STORAGE_KEYS.device, { ...record, removed: true });
}

/**
 * EDEVICE: binds this connection to the device, proving it holds the device key (a signed
 * challenge, as a key login does). With `reset`, a new identity key replaces the registered one
 * when the server has another (the user lost every device): only on the application's word.
 */
export async function registerDevice(env: E2eEnv, device: LocalDevice, options: { reset: boolean }): Promise<ReplyData['edevice']> {
  const sign = async (data: Uint8Array) => new Uint8Array(await globalThis.crypto.subtle.sign('Ed25519', device.privateKey, new Uint8Array(data)));
  const attempt = async (reset: boolean) => {
    const proof = await env.hooks.keyProof({ publicKey: toBase64Url(device.publicKey), sign });
    return call(env, 'edevice', { certificate: toBase64Url(device.certificate), signature: proof.signature, ...(reset ? { reset: true } : {}) });
  };
  try {
    return await attempt(false);
  } catch (error) {
    if (!(options.reset && isClientError(error, 'E2E_IDENTITY_CHANGED'))) throw error;
    return attempt(true);
  }
}
