import { ALL_TARGET, CONVERSATIONS_MAX, ParleyError, type ReplyData, type ServerEvent, type UnreadInfo } from '@parley/protocol';
import type { Actor } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import { resolveTarget } from './send.ts';

/** Unread counts stop here: a badge says "99+". */
const UNREAD_CAP = 100;

/**
 * Read state across a user's devices: a read position per conversation, kept by the server
 * (store setRead, which only raises it), told to the user's other connections on every node
 * (`read`), so reading on one device clears the badge on the others; unread counts come from it.
 */
export async function markRead(actor: Actor, to: string, seq: number): Promise<ReplyData['read']> {
  if (to.toUpperCase() === ALL_TARGET) throw new ParleyError('BAD_ARGUMENTS', 'ALL has no read position');
  const { server, user, session } = actor;
  const destination = await resolveTarget(server, user, { target: to, mustBeMember: true });
  // A position past the newest message would hide the next ones.
  const last = await server.store.lastSeq(destination.conv);
  const position = await server.store.setRead({ userId: user.id, conv: destination.conv, seq: Math.min(seq, last), at: Date.now() });
  const event: ServerEvent = { ev: 'read', conv: destination.conv, seq: position };
  server.router.localUser(user, new OutboundEvent(event), session);
  server.cluster?.toUserId(user.id, event);
  return { conv: destination.conv, seq: position };
}

/** The user's read position and unread count in every room it is in and every direct conversation it has. */
export async function unreadState(actor: Actor): Promise<ReplyData['unread']> {
  const { server, user } = actor;
  const rooms = [...user.rooms.values()];
  const [direct, positions, roomLasts] = await Promise.all([
    server.store.directConversations(user.id, CONVERSATIONS_MAX),
    server.store.readPositions(user.id),
    server.store.lastSeqs(rooms.map((r) => r.key)),
  ]);
  const list: Omit<UnreadInfo, 'unread'>[] = [
    ...rooms.map((room) => ({ conv: room.key, with: room.name, read: positions.get(room.key) ?? 0, last: roomLasts.get(room.key) ?? 0 })),
    ...direct.map((d) => ({ conv: d.conv, with: d.peerName, read: positions.get(d.conv) ?? 0, last: d.lastSeq })),
  ];
  const counts = await server.store.unreadCounts(
    user.id,
    list.filter((c) => c.last > c.read).map((c) => ({ conv: c.conv, after: c.read })),
    UNREAD_CAP,
  );
  return { conversations: list.map((c) => ({ ...c, unread: counts.get(c.conv) ?? 0 })) };
}
