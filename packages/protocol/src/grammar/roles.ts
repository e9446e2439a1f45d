import type { RoomRole, ServerRole } from '../replies.ts';

/**
 * Role ranks, lowest first: a requirement is met by its role or any higher one. The server
 * checks with them and the clients decide what to offer with them, so both read one table.
 */
const SERVER_RANK: Readonly<Record<ServerRole, number>> = { guest: 0, user: 1, operator: 2, owner: 3 };
const ROOM_RANK: Readonly<Record<RoomRole, number>> = { member: 0, moderator: 1, owner: 2 };

export function serverRank(role: ServerRole): number {
  return SERVER_RANK[role];
}

export function roomRank(role: RoomRole): number {
  return ROOM_RANK[role];
}

export function serverRoleAtLeast(role: ServerRole, needed: ServerRole): boolean {
  return SERVER_RANK[role] >= SERVER_RANK[needed];
}

export function roomRoleAtLeast(role: RoomRole, needed: RoomRole): boolean {
  return ROOM_RANK[role] >= ROOM_RANK[needed];
}

/** The higher of two server roles (an /oper-elevated connection over its account's role). */
export function higherServerRole(a: ServerRole, b: ServerRole): ServerRole {
  return SERVER_RANK[b] > SERVER_RANK[a] ? b : a;
}
