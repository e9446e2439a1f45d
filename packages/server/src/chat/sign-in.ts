import { OutboundEvent } from '../core/outbound.ts';
import type { ServerContext } from '../core/context.ts';
import type { Session } from '../core/session.ts';
import { closeIfAbandoned, enterRoom, leaveRoom } from './membership.ts';
import { replayPages } from './messages.ts';
import type { Room } from './room.ts';
import type { User } from './user.ts';

const PENDING_PAGE = 500;

/**
 * Attaches a logged-in identity to a session. The first session of a user brings it online:
 * guests into the default rooms, accounts into their stored rooms (registration put them in the
 * defaults, so a room an account left stays left), with a presence event to everyone who shares
 * a room with it. Returns the user now online (another login of the same account may have
 * brought it online first) and the rooms it is in.
 */
export async function signIn(server: ServerContext, session: Session, candidate: User): Promise<{ user: User; rooms: Room[] }> {
  let user = server.users.get(candidate.id) ?? candidate;
  let roomKeys: readonly string[] = [];
  if (user.sessions.size === 0) {
    roomKeys = user.accountId === undefined ? server.config.rooms.default : await server.store.roomsOf(user.accountId);
    // Another connection of this account may have finished signing in during the read.
    user = server.users.get(candidate.id) ?? user;
  }
  const firstSession = user.sessions.size === 0;
  if (firstSession) {
    server.users.add(user); // throws NAME_TAKEN rather than let two users share a name
    server.delivery.userOnline(user);
    for (const key of roomKeys) {
      const room = server.rooms.find(key);
      // A room ban made while the user was offline keeps them out of that room at login too.
      const banned = room && server.moderation.bans.match(room.key, { ip: session.transport.remoteAddress, account: user.key });
      if (room && !banned && user.rooms.size < server.config.limits.max_rooms_per_user) enterRoom(server, user, room);
    }
  }
  user.sessions.add(session);
  session.signedIn(user);
  if (firstSession) {
    // Announced with its rooms, now that it has a session (the roster lists users with one).
    server.cluster?.userOnline(user);
    server.router.toRoomPeers(user, new OutboundEvent({ ev: 'presence', user: user.name, status: 'online' }));
  }
  server.metrics.logins.inc({ kind: user.kind });
  return { user, rooms: [...user.rooms.values()] };
}

/** Delivers the direct messages that reached the account while it was offline, then forgets them. */
export async function deliverPending(server: ServerContext, session: Session, user: User): Promise<number> {
  const accountId = user.accountId;
  if (accountId === undefined) return 0;
  const { delivered } = await session.withLiveMessagesHeld(() =>
    replayPages(session, {
      readPage: () => server.store.pendingFor(accountId, PENDING_PAGE),
      pageDone: (page) => server.store.clearPending(accountId, page),
      maxPages: Number.MAX_SAFE_INTEGER,
    }),
  );
  return delivered;
}

/** Detaches a closing session; the user's last session takes it offline. */
export function signOut(server: ServerContext, session: Session): void {
  const user = session.user;
  if (!user) return;
  user.sessions.delete(session);
  if (user.sessions.size > 0) return;
  server.router.toRoomPeers(user, new OutboundEvent({ ev: 'presence', user: user.name, status: 'offline' }));
  const rooms = [...user.rooms.values()];
  for (const room of rooms) leaveRoom(server, user, room);
  // A guest's memberships end with its last session, in rooms homed on other servers too.
  if (user.kind === 'guest') for (const room of rooms) server.federation?.membershipChanged(room, user, 'part');
  server.users.remove(user);
  server.delivery.userOffline(user);
  server.cluster?.userOffline(user);
  // A guest's end-to-end keys live as long as its session does.
  if (user.kind === 'guest') server.store.e2e.forgetUser(user.id).catch((err: unknown) => server.log.warn({ err }, "forgetting a guest's end-to-end keys failed"));
  if (server.claims && user.kind === 'guest') {
    server.claims.release(user.key, user.id).catch((err: unknown) => server.log.warn({ err }, 'releasing a name claim failed; its lease runs out'));
  }
  for (const room of rooms) closeIfAbandoned(server, room).catch((err: unknown) => server.log.warn({ err, room: room.name }, 'closing an empty room failed'));
}
