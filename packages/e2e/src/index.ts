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
export { MlsGroup } from './mls/group.ts';
export type { CommitOutput } from './mls/group.ts';
export type { Incoming } from './mls/group-receive.ts';
export type { GroupMember, DeviceRef } from './mls/members.ts';
export type { MlsContext, TrustPolicy } from './mls/auth-service.ts';
export { createKeyPackage, inspectKeyPackage, welcomeRecipients, DEFAULT_KEY_PACKAGE_LIFETIME_MS } from './mls/key-package.ts';
export type { MlsDevice, NewKeyPackage, KeyPackageInfo } from './mls/key-package.ts';
export { CIPHER_SUITE, CIPHER_SUITE_ID, MAX_KEY_PACKAGE_LIFETIME_MS } from './mls/suite.ts';
export { mlsHeader, assertWelcome } from './mls/codec.ts';
export type { MlsHeader } from './mls/codec.ts';
