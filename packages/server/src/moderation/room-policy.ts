import { nameKey, ParleyError } from '@parley/protocol';
import type { Actor, ServerContext } from '../core/context.ts';
import type { Session } from '../core/session.ts';
import type { Room } from '../chat/room.ts';
import type { User } from '../chat/user.ts';
import { verifyPassword } from '../identity/passwords.ts';
import { subjectOf } from './enforce.ts';
import { atLeast, roomAtLeast } from './roles.ts';

/**
 * What a room's modes and grants allow. These depend on the room's state, not only on who
 * asks, so they are checked by the handlers that join, speak and set topics, through here.
 * Server operators and the room's moderators pass every mode check.
 */
export function privileged({ server, session, user }: Actor, room: Room): boolean {
  return atLeast(server.moderation.roleOf(session), 'operator') || roomAtLeast(room, user, 'moderator');
}

/** Room bans, invite-only and password, for a user not yet in the room. */
export async function checkCanJoin(actor: Actor, room: Room, password: string | undefined): Promise<void> {
  const { server, session, user } = actor;
  const ban = server.moderation.bans.match(room.key, subjectOf(session));
  if (ban && !atLeast(server.moderation.roleOf(session), 'operator')) {
    throw new ParleyError('BANNED_FROM_ROOM', `You are banned from ${room.name}${ban.reason ? `: ${ban.reason}` : ''}`);
  }
  if (privileged(actor, room)) return;
  const invited = room.hasGrant(user.id, 'invited');
  if (room.modes.inviteOnly && !invited) throw new ParleyError('INVITE_ONLY', `${room.name} is invite-only; ask a moderator for an INVITE`);
  if (room.modes.passwordHash !== '' && !invited) {
    if (password === undefined || !(await verifyPassword(room.modes.passwordHash, password))) {
      throw new ParleyError('ROOM_PASSWORD', `${room.name} needs its password: JOIN ${room.name} <password>`);
    }
  }
}

/** Whether a user may see who is in a room and its topic: private rooms show them to members and operators. */
export function canSeeInside({ server, session, user }: Actor, room: Room): boolean {
  return !room.isPrivate() || user.rooms.has(room.key) || atLeast(server.moderation.roleOf(session), 'operator');
}

export function checkCanSeeInside(actor: Actor, room: Room): void {
  if (!canSeeInside(actor, room)) throw new ParleyError('NOT_IN_ROOM', `${room.name} is private: join it to see inside`);
}

/** The grant subject for a guest's name (grants are otherwise keyed by user id). */
export function guestNameSubject(name: string): string {
  return `guest:${nameKey(name)}`;
}

/** A guest's mute holds its name too, so reconnecting does not shed it. */
export function isMuted(room: Room, user: User): boolean {
  return room.hasGrant(user.id, 'muted') || (user.kind === 'guest' && room.hasGrant(guestNameSubject(user.name), 'muted'));
}

/** Mutes and moderated rooms. */
export function checkCanSpeak(actor: Actor, room: Room): void {
  if (privileged(actor, room)) return;
  if (isMuted(room, actor.user)) throw new ParleyError('MUTED', `You are muted in ${room.name}`);
  if (room.modes.moderated) throw new ParleyError('MUTED', `${room.name} is moderated: only its moderators speak`);
}

/** rooms.operators_create: new rooms are made by operators only (CREATEROOM for operators). */
export function checkCanCreate(server: ServerContext, session: Session): void {
  if (server.config.rooms.operators_create && !atLeast(server.moderation.roleOf(session), 'operator')) {
    throw new ParleyError('FORBIDDEN', 'Only operators create rooms on this server');
  }
}

export function checkCanSetTopic(actor: Actor, room: Room): void {
  if (room.modes.topicLock && !privileged(actor, room)) {
    throw new ParleyError('TOPIC_LOCKED', `The topic of ${room.name} is locked`);
  }
}
