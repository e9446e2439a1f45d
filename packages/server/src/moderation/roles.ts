import type { RoomRole, ServerRole } from '@parley/protocol';
import type { Room } from '../chat/room.ts';
import type { User } from '../chat/user.ts';

/** Ranks: a requirement is met by its role or any higher one. */
const SERVER_RANK: Readonly<Record<ServerRole, number>> = { guest: 0, user: 1, operator: 2, owner: 3 };
const ROOM_RANK: Readonly<Record<RoomRole, number>> = { member: 0, moderator: 1, owner: 2 };

export function serverRank(role: ServerRole): number {
  return SERVER_RANK[role];
}

export function roomRank(role: RoomRole): number {
  return ROOM_RANK[role];
}

export function atLeast(role: ServerRole, needed: ServerRole): boolean {
  return SERVER_RANK[role] >= SERVER_RANK[needed];
}

/** A user's role in a room: its creator and `owner` grants own it; `moderator` grants moderate. */
export function roomRoleOf(room: Room, userId: string): RoomRole {
  if (room.createdBy === userId || room.hasGrant(userId, 'owner')) return 'owner';
  if (room.hasGrant(userId, 'moderator')) return 'moderator';
  return 'member';
}

export function roomAtLeast(room: Room, user: User, needed: RoomRole): boolean {
  return ROOM_RANK[roomRoleOf(room, user.id)] >= ROOM_RANK[needed];
}
