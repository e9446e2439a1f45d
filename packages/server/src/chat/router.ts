import type { OutboundEvent } from '../core/outbound.ts';
import type { Session } from '../core/session.ts';
import type { Room } from './room.ts';
import type { User } from './user.ts';
import type { UserDirectory } from './user-directory.ts';

/**
 * Fans an encoded event out to sessions. Every path ends in Session.deliver, which queues the
 * shared bytes; `except` is the session that caused the event (it gets a reply instead).
 */
export class Router {
  deliveries = 0;

  constructor(private readonly users: UserDirectory) {}

  toUser(user: User, out: OutboundEvent, except?: Session): void {
    const sessions = user.sessions.all;
    for (let i = 0; i < sessions.length; i++) {
      const session = sessions[i]!;
      if (session !== except && session.deliver(out)) this.deliveries += 1;
    }
  }

  toRoom(room: Room, out: OutboundEvent, except?: Session): void {
    for (const member of room.members.values()) this.toUser(member, out, except);
  }

  toEveryone(out: OutboundEvent, except?: Session): void {
    for (const user of this.users.all()) this.toUser(user, out, except);
  }

  /** Everyone who shares at least one room with `user`, each once (used for presence, nick). */
  toRoomPeers(user: User, out: OutboundEvent, includeSelf = false): void {
    const seen = new Set<User>();
    if (!includeSelf) seen.add(user);
    for (const room of user.rooms.values()) {
      for (const member of room.members.values()) {
        if (seen.has(member)) continue;
        seen.add(member);
        this.toUser(member, out);
      }
    }
    if (includeSelf && !seen.has(user)) this.toUser(user, out);
  }
}
