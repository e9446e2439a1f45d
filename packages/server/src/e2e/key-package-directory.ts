import { fromBase64Url, inspectKeyPackage, isE2eError, toBase64Url, type KeyPackageInfo } from '@parley/e2e';
import { MAX_KEY_PACKAGES_PER_DEVICE, ParleyError, type ReplyData } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import { StoreError, type GroupDevice, type KeyPackageRecord } from '../store/store.ts';
import { findUserId, namesUser } from './e2e-devices.ts';

/**
 * The KeyPackage directory (RFC 9420 §16.5 calls it the Delivery Service's job): each device
 * uploads one-time KeyPackages and one last-resort package; whoever adds the user's devices to a
 * group claims one of each. The server checks on upload what a receiver would (suite, both
 * signatures, lifetime of at most 90 days, the credential is this device's registered
 * certificate under the user's registered identity key), so the directory holds nothing a
 * member would refuse; members check again anyway.
 */
async function checkUpload(server: ServerContext, device: GroupDevice, text: string): Promise<KeyPackageRecord> {
  const [identity, devices] = await Promise.all([server.store.e2e.identity(device.userId), server.store.e2e.devices(device.userId)]);
  const registered = devices.find((d) => d.deviceId === device.deviceId);
  if (identity === undefined || !registered) throw new ParleyError('E2E_NO_DEVICE', 'This device is not registered any more: EDEVICE again');
  let info: KeyPackageInfo;
  try {
    info = await inspectKeyPackage(fromBase64Url(text), { trust: { trustIdentity: (userId, key) => namesUser(server, userId, device.userId) && toBase64Url(key) === identity } });
  } catch (error) {
    if (isE2eError(error)) throw new ParleyError('E2E_BAD_KEY_PACKAGE', `A KeyPackage was refused: ${error.message}`);
    throw error;
  }
  if (info.deviceId !== device.deviceId || toBase64Url(info.deviceKey) !== registered.deviceKey) {
    throw new ParleyError('E2E_BAD_KEY_PACKAGE', `A KeyPackage is for device ${info.userId}/${info.deviceId}, not this connection's ${device.deviceId}`);
  }
  return { ref: toBase64Url(info.ref), data: text, notAfter: info.notAfter };
}

export async function uploadKeyPackages(server: ServerContext, device: GroupDevice, input: { packages: readonly string[]; lastResort: string | undefined }): Promise<ReplyData['kpupload']> {
  const packages: KeyPackageRecord[] = [];
  for (const text of input.packages) packages.push(await checkUpload(server, device, text));
  const lastResort = input.lastResort === undefined ? undefined : await checkUpload(server, device, input.lastResort);
  const result = await server.store.e2e
    .addKeyPackages({ userId: device.userId, deviceId: device.deviceId, packages, ...(lastResort ? { lastResort } : {}), max: MAX_KEY_PACKAGES_PER_DEVICE })
    .catch((error: unknown) => {
      if (error instanceof StoreError && error.code === 'conflict') {
        throw new ParleyError('E2E_TOO_MANY_KEY_PACKAGES', `The server keeps at most ${MAX_KEY_PACKAGES_PER_DEVICE} one-time KeyPackages per device`);
      }
      throw error;
    });
  return { stored: result.stored, count: result.count, last_resort: lastResort !== undefined };
}

/**
 * One KeyPackage of every device of the named user (or of the listed ones: those a group lacks),
 * except the claimer's own device (a device is never added to a group twice). One-time packages
 * are handed out once.
 */
export async function claimKeyPackages(server: ServerContext, claimer: { user: { id: string }; device: GroupDevice | undefined }, target: { name: string; deviceIds: readonly string[] | undefined }): Promise<ReplyData['kpclaim']> {
  const who = await findUserId(server, target.name);
  const claimed = await server.store.e2e.claimKeyPackages(who.id, Date.now(), target.deviceIds);
  const own = (deviceId: string) => who.id === claimer.user.id && deviceId === claimer.device?.deviceId;
  return {
    user_id: who.id,
    packages: claimed.packages.filter((p) => !own(p.deviceId)).map((p) => ({ device_id: p.deviceId, key_package: p.data })),
    missing: claimed.missing.filter((id) => !own(id)),
  };
}
