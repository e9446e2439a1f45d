import { ParleyError } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import type { Session } from '../core/session.ts';
import type { Room } from './room.ts';
import type { RemoteUser } from './cluster-roster.ts';
import type { User } from './user.ts';

export interface MembershipChange {
  user: User;
  room: Room;
  /** The connection that asked: it hears through its reply, so the room's event skips it. */
  origin?: Session;
}

/**
 * Joining and leaving rooms. Accounts' memberships are stored (they are back in their rooms at
 * the next login); guests' live only while they are online.
 */
export async function joinRoom(server: ServerContext, { user, room, origin }: MembershipChange): Promise<boolean> {
  if (user.rooms.has(room.key)) return false;
  checkRoomCapacity(server, user);
  // The room may close (its last member left) or be deleted while the join is checked and stored.
  checkStillOpen(server, room);
  if (user.accountId !== undefined) await server.store.addMember(room.key, user.accountId);
  checkStillOpen(server, room);
  enterRoom(server, user, room);
  server.router.toRoom(room, new OutboundEvent({ ev: 'join', room: room.name, user: user.name }), origin);
  server.federation?.membershipChanged(room, user, 'join');
  return true;
}

function checkStillOpen(server: ServerContext, room: Room): void {
  if (server.rooms.find(room.name) !== room) throw new ParleyError('NO_SUCH_ROOM', `${room.name} closed just now; JOIN makes it again`);
}

/** Throws TOO_MANY_ROOMS before a join, and before a create so a refused one leaves no room. */
export function checkRoomCapacity(server: ServerContext, user: User): void {
  if (user.rooms.size >= server.config.limits.max_rooms_per_user) {
    throw new ParleyError('TOO_MANY_ROOMS', `You are in ${user.rooms.size} rooms, the most allowed`);
  }
}

/** Adds an online user to a room's member map without announcing it (used at sign-in). */
export function enterRoom(server: ServerContext, user: User, room: Room): void {
  room.members.set(user.id, user);
  user.rooms.set(room.key, room);
  server.delivery.roomEntered(room);
  server.cluster?.roomEntered(room, user);
}

/** Takes an online user out of a room's member map (the announcing is the caller's). */
export function leaveRoom(server: ServerContext, user: User, room: Room): void {
  room.members.delete(user.id);
  user.rooms.delete(room.key);
  server.delivery.roomLeft(room);
  server.cluster?.roomLeft(room, user);
}

/** Why someone left when a moderator removed them; absent for a person's own part. */
export interface Removal {
  kind: 'kick' | 'ban';
  by: string;
  reason?: string | undefined;
}

/** `removal` is set when a moderator removed the user (kick, ban); everyone in the room, the user included, sees who and why. */
export async function partRoom(server: ServerContext, { user, room, origin, removal }: MembershipChange & { removal?: Removal }): Promise<void> {
  if (!user.rooms.has(room.key)) throw new ParleyError('NOT_IN_ROOM', `You are not in ${room.name}`);
  if (user.accountId !== undefined) await server.store.removeMember(room.key, user.accountId);
  const event = new OutboundEvent({
    ev: 'part',
    room: room.name,
    user: user.name,
    ...(removal ? { kind: removal.kind, by: removal.by, ...(removal.reason ? { reason: removal.reason } : {}) } : {}),
  });
  server.router.toRoom(room, event, origin);
  server.federation?.membershipChanged(room, user, 'part');
  leaveRoom(server, user, room);
  for (const session of user.sessions) session.leftRoom(room.key);
  await closeIfAbandoned(server, room);
}

/**
 * Closes a room a guest created once nobody is in it: no one online and no account that joined
 * it (accounts stay members while offline). Its messages go with it, as with `delete`; nobody
 * is left to be told. Runs after every part, kick, room ban and sign-out.
 */
export async function closeIfAbandoned(server: ServerContext, room: Room): Promise<boolean> {
  if (!room.closesWhenEmpty() || room.members.size > 0 || hasRemoteMembers(server, room)) return false;
  if (await server.store.hasMembers(room.key)) return false;
  // Someone may have joined, or the room been deleted, while the store answered.
  if (room.members.size > 0 || hasRemoteMembers(server, room) || server.rooms.find(room.name) !== room) return false;
  await server.rooms.delete(room);
  server.log.info({ room: room.name }, 'room closed: its last member left');
  return true;
}

function hasRemoteMembers(server: ServerContext, room: Room): boolean {
  return (server.cluster?.roster.membersOf(room.key).length ?? 0) > 0;
}

/** Members online on other nodes of a cluster and not here too (an account may be on both). */
export function remoteMembers(server: ServerContext, room: Room): RemoteUser[] {
  return server.cluster?.roster.membersOf(room.key).filter((u) => !room.members.has(u.id)) ?? [];
}

/** How many are in the room now, on every node. */
export function onlineCount(server: ServerContext, room: Room): number {
  return room.members.size + remoteMembers(server, room).length;
}

export async function deleteRoom(server: ServerContext, room: Room, by: User): Promise<void> {
  // Other servers that mirror it hear first (the followers are the room's until it is gone).
  server.federation?.roomDeleted(room, by.name);
  await deleteMirroredRoom(server, room, by.name);
}

/** Deletes a room and tells its members who did; `by` is a name (a mirror's home deleted it as `bob@b.example`). */
export async function deleteMirroredRoom(server: ServerContext, room: Room, by: string): Promise<void> {
  await server.rooms.delete(room);
  server.router.toRoom(room, new OutboundEvent({ ev: 'room_deleted', room: room.name, by }));
  for (const member of room.members.values()) {
    member.rooms.delete(room.key);
    for (const session of member.sessions) session.leftRoom(room.key);
  }
  const members = [...room.members.values()];
  room.members.clear();
  server.delivery.roomLeft(room);
  for (const member of members) server.cluster?.roomLeft(room, member);
}
