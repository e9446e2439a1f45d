import type { ServerContext } from '../core/context.ts';
import type { Session } from '../core/session.ts';
import { accountUserId } from '../chat/user.ts';
import type { DeviceRecord } from '../store/store.ts';
import { audit } from './audit.ts';

export interface Revocation {
  /** Who acted: a user name, "console" or "server". */
  actor: string;
  /** `device.revoke` (the account's owner or an operator) or `device.evict` (too many devices). */
  action: 'device.revoke' | 'device.evict';
}

/**
 * Removes a device credential and writes the audit entry. Returns the connections signed in
 * with it, still open: the caller closes them (closeDeviceSessions) once its own reply is out,
 * because the connection asking may be one of them (a "sign out" revokes its own device).
 */
export async function revokeDevice(server: ServerContext, device: DeviceRecord, { actor, action }: Revocation): Promise<{ removed: boolean; sessions: Session[] }> {
  const removed = await server.store.devices.remove(device.id);
  const online = server.users.get(accountUserId(device.accountId));
  const sessions = [...(online?.sessions ?? [])].filter((session) => session.device === device.id);
  if (removed) await audit(server, { actor, action, target: device.accountName, detail: { device: device.id, label: device.label, sessions: sessions.length } });
  return { removed, sessions };
}

/**
 * Ends the connections of a revoked device with DEVICE_REVOKED, a `stop` error: the SDK does
 * not reconnect after it, and its token would be refused if it tried.
 */
export function closeDeviceSessions(sessions: readonly Session[], message: string): void {
  for (const session of sessions) session.close('DEVICE_REVOKED', message);
}
