import { roomRoleAtLeast, serverRoleAtLeast, type RoomRole, type ServerRole } from '@parley/protocol';
import type { Room } from '../chat/room.ts';
import type { User } from '../chat/user.ts';

export { roomRank, serverRank } from '@parley/protocol';

/** The ranks are the protocol's (clients decide what to offer with the same table). */
export function atLeast(role: ServerRole, needed: ServerRole): boolean {
  return serverRoleAtLeast(role, needed);
}

/** A user's role in a room: its creator and `owner` grants own it; `moderator` grants moderate. */
export function roomRoleOf(room: Room, userId: string): RoomRole {
  if (room.createdBy === userId || room.hasGrant(userId, 'owner')) return 'owner';
  if (room.hasGrant(userId, 'moderator')) return 'moderator';
  return 'member';
}

export function roomAtLeast(room: Room, user: User, needed: RoomRole): boolean {
  return roomRoleAtLeast(roomRoleOf(room, user.id), needed);
}
