import { fromBase64Url, toBase64Url, verifyDeviceCertificate } from '@parley/e2e';
import { ERRORS, foldName, type E2eDirectoryEntry, type ReplyData } from '@parley/protocol';
import { ParleyClientError } from '../errors.ts';
import { call, dmConversation, isClientError, peerIdOf, type E2eEnv, type Self } from './context.ts';
import { localUserId } from './e2e-ids.ts';

/** A conversation as the end-to-end layer addresses it: `name` is `to` for the verbs (the other person's name, or the room's). */
export interface Target {
  conv: string;
  name: string;
  /** A DM's other person (the user's own id for notes to self); absent for an encrypted room. */
  peerId?: string;
}

/** Who an encrypted room is for, as EMEMBERS last said. */
export type RoomPeople = ReplyData['emembers'];

/** A registered device whose certificate verifies under its user's trusted identity key. */
export interface ExpectedDevice {
  userId: string;
  deviceId: string;
  deviceKey: Uint8Array;
  /** The user's name, for KPCLAIM. */
  name: string;
}

export interface Directory {
  /** Every device that should be a member of the conversation's group. */
  expected: ExpectedDevice[];
  /** The other person's identity key is not the pinned one: their devices are left out. */
  peerChanged: boolean;
  peerHasDevices: boolean;
}

/**
 * The directory's devices of one user, kept only when the certificate verifies and says what the
 * entry says (user id, as this server names the user: e2e-ids.ts; device id; the user's identity
 * key). MLS checks each credential again against the pinned key when it is added; this is only
 * the list to add.
 */
export async function verifiedDevices(entry: E2eDirectoryEntry, self: Pick<Self, 'userId' | 'certifiedId'>): Promise<ExpectedDevice[]> {
  const devices: ExpectedDevice[] = [];
  if (entry.identity_key === null) return devices;
  for (const device of entry.devices) {
    try {
      const cert = await verifyDeviceCertificate(fromBase64Url(device.certificate));
      const userId = localUserId(self, cert.userId);
      if (userId !== entry.user_id || cert.deviceId !== device.device_id || toBase64Url(cert.identityKey) !== entry.identity_key) continue;
      devices.push({ userId, deviceId: cert.deviceId, deviceKey: cert.deviceKey, name: entry.name });
    } catch {
      // Expired or malformed: not a device to add.
    }
  }
  return devices;
}

/**
 * Directory entries as last read, so a send does not ask the server for both people's devices
 * and verify every certificate each time. An entry is dropped when the server says its user's
 * devices changed (`e2e_devices`), and everything when the connection was lost (an event may
 * have been missed); a refused send reads again.
 */
export class DirectoryCache {
  private readonly byName = new Map<string, E2eDirectoryEntry>();
  private readonly rooms = new Map<string, RoomPeople>();
  private readonly verified = new WeakMap<E2eDirectoryEntry, Promise<ExpectedDevice[]>>();

  async entry(env: E2eEnv, name: string): Promise<E2eDirectoryEntry> {
    const key = name.toLowerCase();
    const cached = this.byName.get(key);
    if (cached) return cached;
    const entry = await call(env, 'edevices', { name });
    this.byName.set(key, entry);
    return entry;
  }

  /** `self` names the certificates' users as this server does; entries are read again after each login (`clear`), when it may change. */
  devices(entry: E2eDirectoryEntry, self: Self): Promise<ExpectedDevice[]> {
    let devices = this.verified.get(entry);
    if (!devices) this.verified.set(entry, (devices = verifiedDevices(entry, self)));
    return devices;
  }

  /** An encrypted room's people; dropped when someone joins or leaves it (`forgetRoom`). */
  async people(env: E2eEnv, room: string): Promise<RoomPeople> {
    const key = foldName(room);
    const cached = this.rooms.get(key);
    if (cached) return cached;
    const people = await call(env, 'emembers', { to: room });
    this.rooms.set(key, people);
    return people;
  }

  /** Whether the room's people, as last read, include the user (true when not read yet: they may). */
  mayInclude(conv: string, userId: string): boolean {
    const people = [...this.rooms.values()].find((p) => p.conv === conv);
    return !people || people.members.some((m) => m.user_id === userId);
  }

  forget(userId: string): void {
    for (const [key, entry] of this.byName) if (entry.user_id === userId) this.byName.delete(key);
  }

  forgetRoom(room: string): void {
    this.rooms.delete(foldName(room));
  }

  clear(): void {
    this.byName.clear();
    this.rooms.clear();
  }
}

/**
 * Both people's devices for the conversation's group, from the server's directory, filtered by
 * trust: a user whose identity key changed contributes none (and is reported by the trust store).
 * A name that now belongs to someone else (a guest who left) contributes none either.
 */
export async function readDirectory(env: E2eEnv, target: Target): Promise<Directory> {
  if (target.peerId === undefined) return readRoomDirectory(env, target);
  const self = env.self();
  const names = target.peerId === self.userId ? [self.name] : [self.name, target.name];
  const entries = await Promise.all(names.map((name) => env.directory.entry(env, name)));
  const directory: Directory = { expected: [], peerChanged: false, peerHasDevices: false };
  for (const entry of entries) {
    if (entry.user_id !== self.userId && entry.user_id !== target.peerId) continue;
    if (entry.user_id === target.peerId) directory.peerHasDevices = entry.devices.length > 0;
    if (entry.identity_key === null) continue;
    if ((await env.trust.check(entry.user_id, entry.identity_key, entry.name)) === 'changed') {
      if (entry.user_id !== self.userId) directory.peerChanged = true;
      continue;
    }
    directory.expected.push(...(await env.directory.devices(entry, self)));
  }
  return directory;
}

/**
 * Every member's devices for an encrypted room's group, filtered by trust as for a DM: a member
 * whose identity key changed contributes none until accepted (the trust store reports it), and
 * members without device keys simply cannot read it.
 */
async function readRoomDirectory(env: E2eEnv, target: Target): Promise<Directory> {
  const self = env.self();
  const people = await env.directory.people(env, target.name);
  const entries = await Promise.all(people.members.map((m) => env.directory.entry(env, m.name).catch(() => undefined)));
  const directory: Directory = { expected: [], peerChanged: false, peerHasDevices: true };
  for (const [i, entry] of entries.entries()) {
    // A name that now belongs to someone else (a guest who left): not the member listed.
    if (!entry || entry.user_id !== people.members[i]?.user_id || entry.identity_key === null) continue;
    if ((await env.trust.check(entry.user_id, entry.identity_key, entry.name)) === 'changed') continue;
    directory.expected.push(...(await env.directory.devices(entry, self)));
  }
  return directory;
}

/**
 * Who a DM to `to` (a name, or a DM conversation id) is for; refused when they have no device keys.
 * By id it is the conversation's other person or nobody: a name someone else took since (a guest
 * who left) is refused, as the server refuses a plaintext send there. Someone of another server
 * (`bob@b.example`) is no different: this server asks theirs for the directory entry.
 */
export async function resolveTarget(env: E2eEnv, to: string): Promise<Target> {
  const self = env.self();
  const peerId = to.startsWith('dm:') ? peerIdOf(to, self.userId) : undefined;
  const name = peerId === undefined ? to : await nameOf(env, to);
  const entry = await env.directory.entry(env, name).catch((error: unknown) => {
    throw peerId !== undefined && isClientError(error, 'NO_SUCH_USER') ? gone(name, peerId) : error;
  });
  if (peerId !== undefined && entry.user_id !== peerId) throw gone(name, peerId);
  if (entry.devices.length === 0) {
    throw ParleyClientError.local('E2E_PEER_UNENCRYPTED', `${entry.name} has no end-to-end devices: send with { plaintext: true } to send it unencrypted`);
  }
  return { conv: dmConversation(self.userId, entry.user_id), name: entry.name, peerId: entry.user_id };
}

/** An encrypted room, by name: refused (E2E_NOT_ENCRYPTED) when it is not one, or NOT_IN_ROOM. */
export async function resolveRoomTarget(env: E2eEnv, room: string): Promise<Target> {
  const people = await env.directory.people(env, room);
  return { conv: people.conv, name: room };
}

/** The conversation's person no longer has the name (for a guest: left, the server's words in chat/send.ts). */
function gone(name: string, peerId: string): ParleyClientError {
  const message = peerId.startsWith('a') ? `${name} is not the name of the person in this conversation any more` : `${name} has left; guests cannot get messages while offline`;
  return new ParleyClientError(message, { code: ERRORS.NO_SUCH_USER.code, errorName: 'NO_SUCH_USER', action: 'fix' });
}

async function nameOf(env: E2eEnv, conv: string): Promise<string> {
  const known = env.convs.peerOf(conv);
  if (known !== undefined) return known;
  const { conversations } = await call(env, 'conversations', {});
  const found = conversations.find((c) => c.conv === conv);
  if (!found) throw ParleyClientError.local('E2E_FAILED', `${conv} is not one of your conversations`);
  return found.with;
}

/**
 * The directory entries seen last, per user: every login of every device announces itself
 * (`e2e_devices`), and only an entry that changed (a device added or removed, a new identity
 * key) is worth reconciling groups over.
 */
export class DirectoryWatch {
  private readonly seen = new Map<string, string>();

  changed(entry: E2eDirectoryEntry): boolean {
    const devices = [...entry.devices].sort((a, b) => (a.device_id < b.device_id ? -1 : 1)).map((d) => `${d.device_id}=${d.certificate}`);
    const summary = `${entry.identity_key ?? '-'} ${devices.join(' ')}`;
    const before = this.seen.get(entry.user_id);
    this.seen.set(entry.user_id, summary);
    return before !== summary;
  }
}
