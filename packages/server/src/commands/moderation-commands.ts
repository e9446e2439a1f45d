import { ParleyError, type BanInfo } from '@parley/protocol';
import { escapeText } from '../core/text-lines.ts';
import { audit } from '../moderation/audit.ts';
import { BanSet } from '../moderation/ban-set.ts';
import { parseBanTarget, parseDuration } from '../moderation/ban-target.ts';
import { disconnectUser, enforceBans, removeFromRoom } from '../moderation/enforce.ts';
import { SERVER_SCOPE, type BanRecord } from '../store/store.ts';
import type { CommandContext, CommandFamily } from './command.ts';
import { loggedIn } from './command.ts';
import { assertOutranks, findNamedUser, noticeTarget, roomAction, type NamedUser } from './targets.ts';
import { guestNameSubject } from '../moderation/room-policy.ts';

export function banInfo(ban: BanRecord): BanInfo {
  return { scope: ban.scope, kind: ban.kind, target: ban.value, reason: ban.reason, by: ban.createdBy, at: ban.createdAt, expires: ban.expiresAt };
}

export function banLine(ban: BanInfo): string {
  const expires = ban.expires === null ? 'permanent' : `until ${new Date(ban.expires).toISOString()}`;
  return `BAN ${ban.scope} ${ban.kind} ${ban.target} by ${ban.by} at ${new Date(ban.at).toISOString()} ${expires}${ban.reason ? ` ${escapeText(ban.reason)}` : ''}`;
}

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
      const target = await findNamedUser(ctx.server, name);
      assertOutranks(ctx, target, room);
      if (!target.online) throw new ParleyError('NO_SUCH_USER', `${target.name} is not online`);
      const why = `kicked by ${actor.name}${reason ? `: ${reason}` : ''}`;
      let sessions = 0;
      if (room) {
        if (!(await removeFromRoom(ctx.server, { user: target.online, room, reason: why }))) throw new ParleyError('NOT_IN_ROOM', `${target.name} is not in ${room.name}`);
      } else {
        sessions = disconnectUser(target.online, 'KICKED', `You were ${why}`);
      }
      await audit(ctx.server, { actor: actor.name, action: 'kick', target: room ? `${target.name} ${room.name}` : target.name, detail: reason ?? '' });
      return { data: { name: target.name, ...(room ? { room: room.name } : {}), sessions }, text: `OK KICK ${target.name}${room ? ` ${room.name}` : ''}` };
    },
  },
  ban: {
    summary: 'Ban an account, IP address, CIDR or key (key:<fingerprint>) from the server or a room, optionally for a time',
    auth: 'user',
    role: 'operator',
    roomRole: 'moderator',
    rate: 'none',
    async handle(ctx, { target: rawTarget, room: roomName, duration, reason }) {
      const { server, session } = ctx;
      const actor = loggedIn(ctx);
      const room = scopeOf(ctx, roomName);
      const target = parseBanTarget(rawTarget);
      if (target.kind === 'account') {
        const named = await findNamedUser(server, rawTarget).catch(() => undefined);
        if (named) assertOutranks(ctx, named, room);
      } else if (target.kind === 'ip' && !room) {
        // An operator must not lock themselves out by address.
        const probe = new BanSet([{ id: 0, scope: SERVER_SCOPE, kind: 'ip', value: target.value, reason: '', createdBy: '', createdAt: 0, expiresAt: null }]);
        if (probe.matchServer({ ip: session.transport.remoteAddress })) throw new ParleyError('FORBIDDEN', 'That ban would include your own address');
      }
      const durationMs = parseDuration(duration);
      const ban = await server.store.addBan({
        scope: room?.key ?? SERVER_SCOPE,
        kind: target.kind,
        value: target.value,
        reason: reason ?? '',
        createdBy: actor.name,
        expiresAt: durationMs === null ? null : Date.now() + durationMs,
      });
      await server.moderation.load();
      const disconnected = await enforceBans(server);
      await audit(server, { actor: actor.name, action: 'ban', target: `${ban.scope} ${ban.kind} ${ban.value}`, detail: { reason: ban.reason, expires: ban.expiresAt } });
      const info = banInfo(ban);
      return { data: { ...info, disconnected }, text: `OK BAN ${info.scope} ${info.kind} ${info.target} ${info.expires === null ? 'permanent' : `until ${new Date(info.expires).toISOString()}`}` };
    },
  },
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
      noticeTarget(ctx.server, target, `${actor.name} muted you in ${room.name}${reason ? `: ${reason}` : ''}`);
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
      noticeTarget(ctx.server, target, `${actor.name} unmuted you in ${room.name}`);
      await audit(ctx.server, { actor: actor.name, action: 'unmute', target: `${target.name} ${room.name}` });
      return { data: { room: room.name, name: target.name }, text: `OK UNMUTE ${room.name} ${target.name}` };
    },
  },
};
