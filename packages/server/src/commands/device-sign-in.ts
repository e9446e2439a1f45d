import { MAX_DEVICES_PER_ACCOUNT, ParleyError, type DeviceGrant } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import type { Session } from '../core/session.ts';
import { newDeviceToken } from '../identity/device-tokens.ts';
import { audit } from '../moderation/audit.ts';
import { normalizeIp } from '../moderation/ban-target.ts';
import { closeDeviceSessions, revokeDevice } from '../moderation/device-revocation.ts';
import type { DeviceRecord } from '../store/store.ts';

/**
 * What a login does about devices: bind the connection to the device whose token it showed,
 * or issue a new credential (`remember`), or nothing.
 */
export type DeviceStep = { use: DeviceRecord } | { issue: string; accountId: number } | undefined;

/**
 * Runs a sign-in with its device step around it. A new credential is issued first, so a store
 * that cannot write refuses the login instead of signing in without what was asked, and it is
 * withdrawn if the sign-in then fails (a token nobody received). A token's device is bound
 * after the sign-in (useDevice says why).
 */
export async function signInWithDevice<TSignedIn>(
  server: ServerContext,
  session: Session,
  { step, signIn }: { step: DeviceStep; signIn: () => Promise<TSignedIn> },
): Promise<{ signedIn: TSignedIn; grant: DeviceGrant | undefined }> {
  if (step && 'issue' in step) {
    const grant = await issueDevice(server, session, { accountId: step.accountId, label: step.issue });
    try {
      const signedIn = await signIn();
      session.usesDevice(grant.id);
      return { signedIn, grant };
    } catch (error) {
      await server.store.devices.remove(grant.id).catch(() => false);
      throw error;
    }
  }
  const signedIn = await signIn();
  return { signedIn, grant: step ? await useDevice(server, session, step.use) : undefined };
}

/**
 * Binds the connection, then records the use: a revocation that ran between the token check
 * and the sign-in found no connection to close, so a device gone by now ends this one. The
 * record is bookkeeping: a disk that cannot take it (full, read-only) does not stop a login,
 * which only reads.
 */
async function useDevice(server: ServerContext, session: Session, device: DeviceRecord): Promise<DeviceGrant> {
  session.usesDevice(device.id);
  let present = true;
  try {
    present = await server.store.devices.touch(device.id, { at: Date.now(), address: normalizeIp(session.transport.remoteAddress) });
  } catch (err) {
    server.log.warn({ err, device: device.id }, 'could not record a device sign-in');
  }
  if (!present) throw new ParleyError('DEVICE_REVOKED', "This device's sign-in was revoked just now; sign in with the password");
  return { id: device.id, label: device.label };
}

/**
 * A new device credential for a connection that signed in with the password. An account
 * holding MAX_DEVICES_PER_ACCOUNT already loses its least recently used one, so the table
 * stays bounded however often a client forgets its token and asks again.
 */
async function issueDevice(server: ServerContext, session: Session, { accountId, label }: { accountId: number; label: string }): Promise<DeviceGrant> {
  const existing = await server.store.devices.listFor(accountId);
  const excess = existing.length - MAX_DEVICES_PER_ACCOUNT + 1;
  for (const old of [...existing].sort((a, b) => a.lastUsedAt - b.lastUsedAt).slice(0, Math.max(0, excess))) {
    const { sessions } = await revokeDevice(server, old, { actor: 'server', action: 'device.evict' });
    closeDeviceSessions(sessions, `This device was signed out: the account has ${MAX_DEVICES_PER_ACCOUNT} newer devices`);
  }
  const { token, tokenHash } = newDeviceToken();
  const device = await server.store.devices.create({ accountId, label, tokenHash, at: Date.now(), address: normalizeIp(session.transport.remoteAddress) });
  await audit(server, { actor: device.accountName, action: 'device.issue', target: device.accountName, detail: { device: device.id, label } });
  return { id: device.id, label: device.label, token };
}
