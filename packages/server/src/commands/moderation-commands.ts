import { ParleyError } from '@parley/protocol';
import { audit } from '../moderation/audit.ts';
import { parseBanTarget } from '../moderation/ban-target.ts';
import { disconnectUser, removeFromRoom } from '../moderation/enforce.ts';
import { SERVER_SCOPE } from '../store/store.ts';
import { banCommand, banInfo, banLine } from './ban-command.ts';
import type { CommandContext, CommandFamily } from './command.ts';
import { loggedIn } from './command.ts';
import { assertOutranks, findNamedUser, noticeTarget, roomAction, type NamedUser } from './targets.ts';
import { guestNameSubject } from '../moderation/room-policy.ts';

/** A guest's mute also holds its name, so reconnecting under the same name does not lift it. */
function muteSubjects(target: NamedUser): string[] {
  return target.accountId === undefined ? [target.userId, guestNameSubject(target.name)] : [target.userId];
}

const scopeOf = (ctx: CommandContext, room: string | undefined) => (room === undefined ? undefined : ctx.server.rooms.require(room));

/** Kicks, bans and mutes. Who may run them is in the table (`role`, `roomRole`); see authorize.ts. */
export const moderationCommands: CommandFamily<'kick' | 'ban' | 'unban' | 'listbans' | 'mute' | 'unmute'> = {
  kick: {
    summary: 'Disconnect a user (operators), or remove them from a room (its moderators)',
    auth: 'user',
    role: 'operator',
    roomRole: 'moderator',
    rate: 'none',
    async handle(ctx, { name, room: roomName, reason }) {
      const actor = loggedIn(ctx);
      const room = scopeOf(ctx, roomName);
      const federation = ctx.server.federation;
      if (room && name.includes('@') && federation?.home.isSealed(room.key)) {
        // A member from another server, in a room homed here.
        if (!(await federation.home.removeRemote(room, name, { kind: 'kick', by: actor.name, reason }))) throw new ParleyError('NOT_IN_ROOM', `${name} is not in ${room.name}`);
        await audit(ctx.server, { actor: actor.name, action: 'kick', target: `${name} ${room.name}`, detail: reason ?? '' });
        return { data: { name, room: room.name, sessions: 0 }, text: `OK KICK ${name} ${room.name}` };
      }
      const target = await findNamedUser(ctx.server, name);
      assertOutranks(ctx, target, room);
      const removal = { kind: 'kick' as const, by: actor.name, reason };
      let sessions = 0;
      if (target.online) {
        if (room && !(await removeFromRoom(ctx.server, { user: target.online, room, removal }))) throw new ParleyError('NOT_IN_ROOM', `${target.name} is not in ${room.name}`);
        if (!room) sessions = disconnectUser(target.online, 'KICKED', `You were kicked by ${actor.name}${reason ? `: ${reason}` : ''}`);
      } else if (target.remote && ctx.server.cluster) {
        // Online on another node of the cluster: that node removes them, and the room hears it from there.
        if (room && !target.remote.rooms.includes(room.key)) throw new ParleyError('NOT_IN_ROOM', `${target.name} is not in ${room.name}`);
        ctx.server.cluster.kick(target.userId, { room: room?.key, ...removal });
      } else {
        throw new ParleyError('NO_SUCH_USER', `${target.name} is not online`);
      }
      await audit(ctx.server, { actor: actor.name, action: 'kick', target: room ? `${target.name} ${room.name}` : target.name, detail: reason ?? '' });
      return { data: { name: target.name, ...(room ? { room: room.name } : {}), sessions }, text: `OK KICK ${target.name}${room ? ` ${room.name}` : ''}` };
    },
  },
  ban: banCommand,
  unban: {
    summary: 'Lift a ban (same target and scope as the BAN)',
    auth: 'user',
    role: 'operator',
    roomRole: 'moderator',
    rate: 'none',
    async handle(ctx, { target: rawTarget, room: roomName }) {
      const actor = loggedIn(ctx);
      const room = scopeOf(ctx, roomName);
      const { kind, value } = parseBanTarget(rawTarget);
      const scope = room?.key ?? SERVER_SCOPE;
      if (!(await ctx.server.store.removeBan(scope, kind, value))) throw new ParleyError('NO_SUCH_BAN', `No ${kind} ban of ${value} in ${scope}`);
      ctx.server.cluster?.moderationChanged();
      await ctx.server.moderation.load();
      await audit(ctx.server, { actor: actor.name, action: 'unban', target: `${scope} ${kind} ${value}` });
      return { data: { scope, kind, target: value }, text: `OK UNBAN ${scope} ${kind} ${value}` };
    },
  },
  listbans: {
    summary: 'List the bans in force (all of them, or one room\'s) with who, when, why and expiry',
    auth: 'user',
    role: 'operator',
    roomRole: 'moderator',
    rate: 'none',
    async handle(ctx, { room: roomName }) {
      const room = scopeOf(ctx, roomName);
      const bans = ctx.server.moderation.bans.active(room?.key).map(banInfo);
      return { data: { bans }, text: [...bans.map(banLine), `OK LISTBANS ${bans.length}`] };
    },
  },
  mute: {
    summary: 'Stop a user from speaking in a room',
    auth: 'user',
    role: 'operator',
    roomRole: 'moderator',
    rate: 'none',
    async handle(ctx, { room: roomName, name, reason }) {
      const { actor, room, target } = await roomAction(ctx, { room: roomName, name });
      assertOutranks(ctx, target, room);
      for (const userId of muteSubjects(target)) await ctx.server.rooms.setGrant(room, { userId, kind: 'muted', grantedBy: actor.name }, true);
      noticeTarget(ctx.server, target, { text: `${actor.name} muted you in ${room.name}${reason ? `: ${reason}` : ''}`, room: room.name, kind: 'mute', by: actor.name, ...(reason ? { reason } : {}) });
      await audit(ctx.server, { actor: actor.name, action: 'mute', target: `${target.name} ${room.name}`, detail: reason ?? '' });
      return { data: { room: room.name, name: target.name }, text: `OK MUTE ${room.name} ${target.name}` };
    },
  },
  unmute: {
    summary: 'Let a muted user speak in a room again',
    auth: 'user',
    role: 'operator',
    roomRole: 'moderator',
    rate: 'none',
    async handle(ctx, { room: roomName, name }) {
      const { actor, room, target } = await roomAction(ctx, { room: roomName, name });
      for (const userId of muteSubjects(target)) await ctx.server.rooms.setGrant(room, { userId, kind: 'muted', grantedBy: actor.name }, false);
      noticeTarget(ctx.server, target, { text: `${actor.name} unmuted you in ${room.name}`, room: room.name, kind: 'unmute', by: actor.name });
      await audit(ctx.server, { actor: actor.name, action: 'unmute', target: `${target.name} ${room.name}` });
      return { data: { room: room.name, name: target.name }, text: `OK UNMUTE ${room.name} ${target.name}` };
    },
  },
};
