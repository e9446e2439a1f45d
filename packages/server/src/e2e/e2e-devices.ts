import { fromBase64Url, isE2eError, toBase64Url, verifyDeviceCertificate, type DeviceCertificate } from '@parley/e2e';
import { MAX_E2E_DEVICES_PER_USER, nameKey, ParleyError, type E2eDirectoryEntry, type ServerEvent } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import type { Session } from '../core/session.ts';
import { accountUserId, type User } from '../chat/user.ts';
import { StoreError, type GroupDevice } from '../store/store.ts';

/**
 * End-to-end devices as the Delivery Service knows them: a device registers its certificate
 * (signed by the user's identity key) and proves it holds the device key; the connection is then
 * that device until it closes. The server checks certificates so the directory holds only what
 * verifies, but clients never trust it for that: every member checks every credential itself
 * against the identity key it pinned (packages/e2e, auth-service.ts).
 */
const boundDevices = new WeakMap<Session, GroupDevice>();

export function boundDevice(session: Session): GroupDevice | undefined {
  return boundDevices.get(session);
}

/** This connection's device, for verbs that act as one. */
export function requireDevice(session: Session): GroupDevice {
  const device = boundDevices.get(session);
  if (!device) throw new ParleyError('E2E_NO_DEVICE', 'This connection has no end-to-end device: EDEVICE first');
  return device;
}

/** The connections of this node that are the given device. */
export function sessionsOfDevice(server: ServerContext, device: GroupDevice): Session[] {
  const user = server.users.get(device.userId);
  if (!user) return [];
  return user.sessions.all.filter((session) => boundDevices.get(session)?.deviceId === device.deviceId);
}

/**
 * Whether a certificate's user id names this server's user `userId`: that id, or on a federating
 * server `<id>@<server id>` (the login reply's e2e_id), which other servers tell from their own
 * users' ids.
 */
export function namesUser(server: ServerContext, certificateUserId: string, userId: string): boolean {
  const federation = server.federation;
  return certificateUserId === userId || (federation !== undefined && certificateUserId === `${userId}@${federation.identity.id}`);
}

/** Decodes and verifies a certificate; names the problem in the error. */
export async function checkCertificate(server: ServerContext, text: string, user: User): Promise<DeviceCertificate> {
  let certificate: DeviceCertificate;
  try {
    certificate = await verifyDeviceCertificate(fromBase64Url(text), { now: Date.now() });
  } catch (error) {
    if (isE2eError(error)) throw new ParleyError('E2E_BAD_CERTIFICATE', `The device certificate is not valid: ${error.message}`);
    throw error;
  }
  if (!namesUser(server, certificate.userId, user.id)) throw new ParleyError('E2E_BAD_CERTIFICATE', `The certificate is for user ${certificate.userId}; you are ${user.id}`);
  return certificate;
}

/**
 * Registers the certificate's device for this connection's user. `reset` lets a different
 * identity key replace the registered one (a user who lost every device); everyone who talks
 * with the user hears of it (`identity_changed`), and clients warn loudly.
 */
export async function registerDevice(server: ServerContext, input: { session: Session; user: User; certificate: DeviceCertificate; text: string; reset: boolean }) {
  const { session, user, certificate } = input;
  const identityKey = toBase64Url(certificate.identityKey);
  const registered = await server.store.e2e.identity(user.id);
  if (registered !== undefined && registered !== identityKey && !input.reset) {
    throw new ParleyError('E2E_IDENTITY_CHANGED', `${user.name} has another identity key; EDEVICE with reset replaces it (and removes every old device)`);
  }
  const device = { userId: user.id, deviceId: certificate.deviceId, certificate: input.text, deviceKey: toBase64Url(certificate.deviceKey), createdAt: Date.now() };
  // The same device id with a new key is a new device: KeyPackages and Welcomes of the old key are useless to it.
  const previous = (await server.store.e2e.devices(user.id)).find((d) => d.deviceId === device.deviceId);
  if (previous && previous.deviceKey !== device.deviceKey) await server.store.e2e.removeDevice(user.id, device.deviceId);
  const { first } = await server.store.e2e.registerDevice({ identityKey, device, replace: input.reset, maxDevices: MAX_E2E_DEVICES_PER_USER }).catch((error: unknown) => {
    if (error instanceof StoreError && error.code === 'conflict') {
      throw new ParleyError('E2E_TOO_MANY_DEVICES', `A user has at most ${MAX_E2E_DEVICES_PER_USER} end-to-end devices; remove one first`);
    }
    throw error;
  });
  boundDevices.set(session, { userId: user.id, deviceId: certificate.deviceId });
  const changed = registered !== undefined && registered !== identityKey;
  // A device that connects again with the certificate it had changes nothing for anyone.
  if (changed || previous?.certificate !== device.certificate) await announceDevices(server, user, changed);
  return { user_id: user.id, device_id: certificate.deviceId, identity_key: identityKey, first };
}

export async function removeDevice(server: ServerContext, user: User, deviceId: string): Promise<void> {
  if (!(await server.store.e2e.removeDevice(user.id, deviceId))) throw new ParleyError('E2E_NOT_MEMBER', `You have no end-to-end device ${deviceId}`);
  for (const session of user.sessions) {
    if (boundDevices.get(session)?.deviceId === deviceId) boundDevices.delete(session);
  }
  await announceDevices(server, user, false);
}

/**
 * Tells the user's other connections, the people it has direct conversations with and the members
 * of its encrypted rooms (on every node of a cluster) that its device list changed, so their clients add
 * or remove devices by commits.
 */
async function announceDevices(server: ServerContext, user: User, identityChanged: boolean): Promise<void> {
  const frame: ServerEvent = identityChanged ? { ev: 'e2e_devices', user: user.name, user_id: user.id, identity_changed: true } : { ev: 'e2e_devices', user: user.name, user_id: user.id };
  const event = new OutboundEvent(frame);
  const peers = await server.store.directConversations(user.id, 200);
  // People of other servers hear through theirs.
  server.federation?.e2e.announceDevices(user, peers.map((p) => p.peerId), identityChanged);
  // A cluster's other nodes tell theirs (their copies skip this node's sessions).
  const { cluster } = server;
  if (cluster) {
    for (const id of new Set([user.id, ...peers.map((p) => p.peerId)])) cluster.toUserId(id, frame);
    for (const room of user.rooms.values()) if (room.modes.encrypted) cluster.toRoom(room, frame);
  }
  const told = new Set<User>([user]);
  for (const peer of peers) {
    const online = server.users.get(peer.peerId);
    if (online) told.add(online);
  }
  for (const room of user.rooms.values()) if (room.modes.encrypted) for (const member of room.members.values()) told.add(member);
  for (const recipient of told) for (const session of recipient.sessions) session.deliver(event);
}

/** Who a name is, online or as an account: the directory answers for both. */
export async function findUserId(server: ServerContext, name: string): Promise<{ id: string; name: string }> {
  const online = server.users.findByName(name);
  if (online) return { id: online.id, name: online.name };
  const account = await server.store.findAccount(nameKey(name));
  if (account) return { id: accountUserId(account.id), name: account.name };
  const remote = server.cluster?.roster.findByName(name);
  if (remote) return { id: remote.id, name: remote.name };
  throw new ParleyError('NO_SUCH_USER', `No user named ${name}`);
}

export async function directoryEntry(server: ServerContext, name: string): Promise<E2eDirectoryEntry> {
  const who = await findUserId(server, name);
  const [identity, devices] = await Promise.all([server.store.e2e.identity(who.id), server.store.e2e.devices(who.id)]);
  return { name: who.name, user_id: who.id, identity_key: identity ?? null, devices: devices.map((d) => ({ device_id: d.deviceId, certificate: d.certificate })) };
}
