import { ParleyError } from '@parley/protocol';
import type { Actor, ServerContext } from '../core/context.ts';
import { remoteMembers } from '../chat/membership.ts';
import type { Room } from '../chat/room.ts';
import { resolveTarget, type Destination } from '../chat/send.ts';
import { accountUserId } from '../chat/user.ts';
import type { E2eGroupRecord } from '../store/store.ts';

/**
 * Who an encrypted conversation is for, which decides whose devices its group may hold: a DM's
 * people, or an encrypted room's members (accounts whether online or not, since they read what
 * they missed at their next login; guests while they are online, on any node).
 */

/** The conversation a verb names, when it can be encrypted: a direct conversation, or a room with mode `encrypted`. */
export async function encryptedDestination(actor: Actor, to: string): Promise<Destination> {
  const destination = await resolveTarget(actor.server, actor.user, { target: to, mustBeMember: true });
  if (destination.room) {
    if (!destination.room.modes.encrypted) throw new ParleyError('E2E_NOT_ENCRYPTED', `${destination.label} is not end-to-end encrypted (an owner turns it on: MODE ${destination.label} +E)`);
    return destination;
  }
  if (!destination.peer) throw new ParleyError('E2E_NOT_ENCRYPTED', `${destination.label} is not a direct conversation or an encrypted room`);
  return destination;
}

/** user id -> name of everyone whose devices belong in the conversation's group. */
export async function conversationPeople(actor: Actor, destination: Destination): Promise<Map<string, string>> {
  if (destination.room) return roomPeople(actor.server, destination.room);
  const people = new Map([[actor.user.id, actor.user.name]]);
  if (destination.peer) people.set(destination.peer.id, destination.peer.name);
  return people;
}

export async function roomPeople(server: ServerContext, room: Room): Promise<Map<string, string>> {
  const people = new Map<string, string>();
  for (const member of await server.store.roomMembers(room.key)) people.set(accountUserId(member.accountId), member.name);
  for (const user of room.members.values()) people.set(user.id, user.name);
  for (const remote of remoteMembers(server, room)) people.set(remote.id, remote.name);
  // Members of other servers, in a room homed here.
  for (const member of server.federation?.home.remoteMembersOf(room.key) ?? []) people.set(member.userId, member.name);
  return people;
}

/**
 * A room's members change without MLS: someone parts, is kicked or banned. Until a member's
 * client commits the removal of their devices they could still read, so nothing is sent to the
 * room until then (the sender's client commits it and sends again).
 */
export async function checkNoLeavers(server: ServerContext, room: Room, input: { group: E2eGroupRecord; members: ReadonlySet<string> }): Promise<void> {
  const { group } = input;
  const people = await roomPeople(server, room);
  // Members are `userId/deviceId`; a user id has no slash.
  const gone = new Set([...input.members].map((m) => m.slice(0, m.indexOf('/'))).filter((id) => !people.has(id)));
  if (gone.size === 0) return;
  throw new ParleyError('E2E_MEMBERS_CHANGED', `${gone.size === 1 ? 'Someone' : `${gone.size} people`} left ${room.name} but their devices are still in its encrypted group: commit their removal, then send again`, {
    detail: { group: group.groupId, epoch: group.epoch },
  });
}
