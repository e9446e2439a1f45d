export { E2E_ERRORS, E2eError, isE2eError } from './errors.ts';
export type { E2eErrorAction, E2eErrorCode, CredentialProblem } from './errors.ts';
export { toBase64Url, fromBase64Url } from './bytes.ts';
export {
  generateIdentityKeyPair,
  generateDeviceKeyPair,
  identitySigner,
  exportPublicKey,
  importPublicKey,
  publicKeyToText,
  publicKeyFromText,
  exportPrivateKeyPkcs8,
  importPrivateKeyPkcs8,
  verifySignature,
} from './identity.ts';
export type { IdentitySigner } from './identity.ts';
export { issueDeviceCertificate, verifyDeviceCertificate, decodeDeviceCertificate, DEFAULT_CERTIFICATE_LIFETIME_MS } from './device-certificate.ts';
export type { DeviceCertificate } from './device-certificate.ts';
export { safetyNumber } from './safety-number.ts';
export type { SafetyNumberParty } from './safety-number.ts';
