import { bytesEqual } from '../bytes.ts';
import { issueDeviceCertificate } from '../device-certificate.ts';
import { exportPublicKey, generateDeviceKeyPair, generateIdentityKeyPair, identitySigner, type IdentitySigner } from '../identity.ts';
import type { MlsContext, TrustPolicy } from './auth-service.ts';
import type { MlsDevice } from './key-package.ts';

/** Users and devices for this package's tests; not exported from the package. */
export interface TestUser {
  userId: string;
  identity: IdentitySigner;
}

export async function testUser(userId: string): Promise<TestUser> {
  return { userId, identity: await identitySigner(await generateIdentityKeyPair()) };
}

export async function testDevice(user: TestUser, deviceId: string, options?: { created?: number; lifetimeMs?: number }): Promise<MlsDevice> {
  const pair = await generateDeviceKeyPair();
  const deviceKey = await exportPublicKey(pair.publicKey);
  const certificate = await issueDeviceCertificate(user.identity, { userId: user.userId, deviceId, deviceKey, ...options });
  return { certificate, privateKey: pair.privateKey };
}

/** Trusts exactly these users' identity keys, as a client that pinned them would. */
export function pinned(...users: TestUser[]): TrustPolicy {
  return { trustIdentity: (userId, key) => users.some((u) => u.userId === userId && bytesEqual(u.identity.publicKey, key)) };
}

export function contextFor(...users: TestUser[]): MlsContext {
  return { trust: pinned(...users) };
}
