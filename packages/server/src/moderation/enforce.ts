import type { ServerContext } from '../core/context.ts';
import type { Session } from '../core/session.ts';
import { partRoom, type Removal } from '../chat/membership.ts';
import type { Room } from '../chat/room.ts';
import type { User } from '../chat/user.ts';
import type { BanSubject } from './ban-set.ts';

/** What bans can see of a live session: its address and, once logged in, its name. */
export function subjectOf(session: Session): BanSubject {
  const subject: BanSubject = { ip: session.transport.remoteAddress };
  if (session.user) subject.account = session.user.key;
  if (session.loginKey) subject.key = session.loginKey;
  return subject;
}

/** Closes every connection of a user; returns how many were closed. */
export function disconnectUser(user: User, reason: 'KICKED' | 'BANNED', message: string): number {
  const sessions = [...user.sessions];
  for (const session of sessions) session.close(reason, message);
  return sessions.length;
}

/** Removes a user from a room, telling the room who did it and why (kick, room ban); false if not a member. */
export async function removeFromRoom(server: ServerContext, { user, room, removal }: { user: User; room: Room; removal: Removal }): Promise<boolean> {
  if (!user.rooms.has(room.key)) return false;
  await partRoom(server, { user, room, removal });
  return true;
}

/**
 * Applies the bans in force to live sessions: a server ban closes every matching connection
 * (by address, CIDR or name), a room ban removes the matching members from that room. Runs
 * after every ban added here and after every sync that re-read bans from the store, so bans
 * take effect immediately however they were made. Returns the number of connections closed.
 */
export async function enforceBans(server: ServerContext): Promise<number> {
  const { moderation } = server;
  const now = Date.now();
  let closed = 0;
  for (const session of [...server.sessions]) {
    const ban = moderation.bans.matchServer(subjectOf(session), now);
    if (!ban) continue;
    session.close('BANNED', `You are banned from this server${ban.reason ? `: ${ban.reason}` : ''}`);
    closed += 1;
  }
  for (const room of server.rooms.list()) {
    if (moderation.bans.active(room.key, now).length === 0) continue;
    for (const member of [...room.members.values()]) {
      const ban = [...member.sessions].map((s) => moderation.bans.match(room.key, subjectOf(s), now)).find((match) => match !== undefined);
      if (ban) await removeFromRoom(server, { user: member, room, removal: { kind: 'ban', by: ban.createdBy, reason: ban.reason } });
    }
    // Members from other servers, in rooms homed here.
    await server.federation?.home.enforceRoomBans(room);
  }
  return closed;
}
