import { ParleyError } from '@parley/protocol';
import type { Room } from '../chat/room.ts';
import type { Actor } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import { hashPassword } from '../identity/passwords.ts';
import { audit } from '../moderation/audit.ts';
import { atLeast, roomAtLeast } from '../moderation/roles.ts';
import type { CommandFamily } from './command.ts';
import { actorOf, loggedIn } from './command.ts';
import { noticeTarget, roomAction } from './targets.ts';
import { modesSentence, modesText } from '../chat/room-mode-words.ts';

/**
 * Encryption is the owners' choice (it shuts out every client without it), and one way: turning
 * it off would let a client that trusts the mode send plaintext to people who expect otherwise.
 */
function checkEncryptionChange(actor: Actor, room: Room, encrypted: boolean): void {
  if (!encrypted) {
    if (room.modes.encrypted) throw new ParleyError('FORBIDDEN', `${room.name} is end-to-end encrypted for good; make a new room to talk in plaintext`);
    return;
  }
  if (!atLeast(actor.server.moderation.roleOf(actor.session), 'operator') && !roomAtLeast(room, actor.user, 'owner')) {
    throw new ParleyError('FORBIDDEN', `Only an owner of ${room.name} turns on its encryption`);
  }
}

/** Room modes, invitations and room roles: run by the room's moderators (or owners) and operators. */
export const roomModeCommands: CommandFamily<'mode' | 'invite' | 'roomrole'> = {
  mode: {
    summary: "Show or change a room's modes: invite_only, password, moderated, topic_lock, encrypted (owners; never turned off)",
    auth: 'user',
    role: 'operator',
    roomRole: 'moderator',
    rate: 'none',
    async handle(ctx, { room: roomName, invite_only: inviteOnly, password, moderated, topic_lock: topicLock, encrypted }) {
      const actor = loggedIn(ctx);
      const { rooms, config } = ctx.server;
      const room = rooms.require(roomName);
      if (encrypted !== undefined) checkEncryptionChange(actorOf(ctx), room, encrypted);
      const changes = { inviteOnly, password, moderated, topicLock, encrypted };
      const changed = Object.values(changes).some((value) => value !== undefined);
      if (changed) {
        const passwordHash =
          password === undefined ? room.modes.passwordHash : password === '' ? '' : await hashPassword(password, config.accounts.password_hash);
        await rooms.setModes(room, {
          inviteOnly: inviteOnly ?? room.modes.inviteOnly,
          passwordHash,
          moderated: moderated ?? room.modes.moderated,
          topicLock: topicLock ?? room.modes.topicLock,
          encrypted: encrypted ?? room.modes.encrypted,
        });
        if (encrypted === true) ctx.server.federation?.encryptionTurnedOn(room, actor.name);
        const text = `${actor.name} set the modes of ${room.name}: ${modesSentence(room.publicModes())}`;
        const modes = room.publicModes();
        ctx.server.router.toRoom(room, new OutboundEvent({ ev: 'notice', text, room: room.name, kind: 'mode', by: actor.name, modes }), ctx.session);
        const detail = { ...changes, password: password === undefined ? undefined : password === '' ? 'removed' : 'set' };
        await audit(ctx.server, { actor: actor.name, action: 'room.mode', target: room.name, detail });
      }
      const modes = room.publicModes();
      return { data: { room: room.name, modes }, text: `OK MODE ${room.name} ${modesText(modes)}` };
    },
  },
  invite: {
    summary: 'Invite a user into a room (lets them past invite-only and the password)',
    auth: 'user',
    role: 'operator',
    roomRole: 'moderator',
    rate: 'message',
    async handle(ctx, { room: roomName, name }) {
      const { actor, room, target } = await roomAction(ctx, { room: roomName, name });
      await ctx.server.rooms.setGrant(room, { userId: target.userId, kind: 'invited', grantedBy: actor.name }, true);
      noticeTarget(ctx.server, target, { text: `${actor.name} invited you to ${room.name}: JOIN ${room.name}`, room: room.name, kind: 'invite', by: actor.name });
      await audit(ctx.server, { actor: actor.name, action: 'room.invite', target: `${target.name} ${room.name}` });
      return { data: { room: room.name, name: target.name }, text: `OK INVITE ${room.name} ${target.name}` };
    },
  },
  roomrole: {
    summary: "Set a user's role in a room: owner, moderator or member (the room's owners and operators)",
    auth: 'user',
    role: 'operator',
    roomRole: 'owner',
    rate: 'none',
    async handle(ctx, { room: roomName, name, role }) {
      const { rooms } = ctx.server;
      const { actor, room, target } = await roomAction(ctx, { room: roomName, name });
      if (target.userId === room.createdBy && role !== 'owner') throw new ParleyError('FORBIDDEN', `${target.name} created ${room.name} and stays its owner`);
      for (const kind of ['owner', 'moderator'] as const) {
        await rooms.setGrant(room, { userId: target.userId, kind, grantedBy: actor.name }, kind === role);
      }
      noticeTarget(ctx.server, target, { text: `${actor.name} made you ${role} of ${room.name}`, room: room.name, by: actor.name });
      // Members see who moderates (their lists mark it), as a channel sees IRC's MODE +o.
      ctx.server.router.toRoom(room, new OutboundEvent({ ev: 'room_role', room: room.name, user: target.name, role, by: actor.name }), ctx.session);
      await audit(ctx.server, { actor: actor.name, action: 'room.role', target: `${target.name} ${room.name}`, detail: role });
      return { data: { room: room.name, name: target.name, role }, text: `OK ROOMROLE ${room.name} ${target.name} ${role}` };
    },
  },
};
