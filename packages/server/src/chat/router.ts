import type { ServerEvent } from '@parley/protocol';
import type { OutboundEvent } from '../core/outbound.ts';
import type { Session } from '../core/session.ts';
import type { Room } from './room.ts';
import type { User } from './user.ts';
import type { UserDirectory } from './user-directory.ts';

/**
 * Where events go beyond this process: set when the server is one node of a cluster. Each call
 * carries an event the local sessions just got; the other nodes deliver it to theirs.
 */
export interface RemoteEvents {
  toRoom(room: Room, event: ServerEvent): void;
  toUser(user: User, event: ServerEvent): void;
  toEveryone(event: ServerEvent): void;
  toRoomPeers(user: User, event: ServerEvent, includeSelf: boolean): void;
}

/**
 * Fans an encoded event out to sessions. Every path ends in Session.deliver, which queues the
 * shared bytes; `except` is the session that caused the event (it gets a reply instead). The
 * public methods also hand the event to the other nodes of a cluster; the `local*` ones reach
 * this process's sessions only (committed messages, which the bus carries on its own, and events
 * that arrived from another node).
 */
export class Router {
  deliveries = 0;
  remote: RemoteEvents | undefined;

  constructor(private readonly users: UserDirectory) {}

  toUser(user: User, out: OutboundEvent, except?: Session): void {
    this.localUser(user, out, except);
    this.remote?.toUser(user, out.event);
  }

  toRoom(room: Room, out: OutboundEvent, except?: Session): void {
    this.localRoom(room, out, except);
    this.remote?.toRoom(room, out.event);
  }

  toEveryone(out: OutboundEvent, except?: Session): void {
    this.localEveryone(out, except);
    this.remote?.toEveryone(out.event);
  }

  /** Everyone who shares at least one room with `user`, each once (used for presence, nick). */
  toRoomPeers(user: User, out: OutboundEvent, includeSelf = false): void {
    this.localRoomPeers({ user, rooms: user.rooms.values(), includeSelf }, out);
    this.remote?.toRoomPeers(user, out.event, includeSelf);
  }

  localUser(user: User, out: OutboundEvent, except?: Session): void {
    const sessions = user.sessions.all;
    for (let i = 0; i < sessions.length; i++) {
      const session = sessions[i]!;
      if (session !== except && session.deliver(out)) this.deliveries += 1;
    }
  }

  localRoom(room: Room, out: OutboundEvent, except?: Session): void {
    for (const member of room.members.values()) this.localUser(member, out, except);
  }

  localEveryone(out: OutboundEvent, except?: Session): void {
    for (const user of this.users.all()) this.localUser(user, out, except);
  }

  /** The local members of `rooms`, each once; `user` itself only with includeSelf (it may be remote). */
  localRoomPeers({ user, rooms, includeSelf }: { user: User | string; rooms: Iterable<Room>; includeSelf: boolean }, out: OutboundEvent): void {
    const selfId = typeof user === 'string' ? user : user.id;
    const seen = new Set<string>();
    if (!includeSelf) seen.add(selfId);
    for (const room of rooms) {
      for (const member of room.members.values()) {
        if (seen.has(member.id)) continue;
        seen.add(member.id);
        this.localUser(member, out);
      }
    }
    if (includeSelf && !seen.has(selfId) && typeof user !== 'string') this.localUser(user, out);
  }
}
