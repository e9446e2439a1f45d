import { GUEST_NAME_PATTERN, ParleyError, splitServer, type RoomMemberInfo, type RoomSummary } from '@parley/protocol';
import { checkRoomCapacity, deleteRoom, joinRoom, onlineCount, partRoom, remoteMembers } from '../chat/membership.ts';
import type { ServerContext } from '../core/context.ts';
import { escapeText } from '../core/text-lines.ts';
import type { Room } from '../chat/room.ts';
import { OutboundEvent } from '../core/outbound.ts';
import { audit } from '../moderation/audit.ts';
import { roomRoleOf } from '../moderation/roles.ts';
import { canSeeInside, checkCanCreate, checkCanJoin, checkCanSeeInside, checkCanSetTopic, isMuted, privileged } from '../moderation/room-policy.ts';
import type { CommandFamily, CommandResult } from './command.ts';
import { actorOf, loggedIn } from './command.ts';
import { homeOf, joinRemote } from './federated-rooms.ts';

function roomData(server: ServerContext, room: Room, lastSeq: number): RoomSummary & { conv: string; lastSeq: number } {
  return { ...room.summary(everyoneCount(server, room)), conv: room.key, lastSeq };
}

/** Online here and on a cluster's other nodes, and members from other servers (federation). */
export function everyoneCount(server: ServerContext, room: Room): number {
  return onlineCount(server, room) + (server.federation?.roomMembers(room.key).length ?? 0);
}

function checkTopic(topic: string, max: number): void {
  if ([...topic].length > max) throw new ParleyError('TEXT_TOO_LONG', `Topics are at most ${max} characters`);
}

export const roomCommands: CommandFamily<'join' | 'part' | 'create' | 'delete' | 'rooms' | 'who' | 'topic'> = {
  join: {
    summary: 'Join a room, creating it if it does not exist (a password for password-protected rooms)',
    auth: 'user',
    rate: 'join',
    async handle(ctx, { room: name, password }): Promise<CommandResult<'join'>> {
      const actor = actorOf(ctx);
      const { user } = actor;
      const { rooms, store } = ctx.server;
      const home = homeOf(ctx.server, name);
      if (home.remote) return joinRemote(actor, name, password);
      name = home.name;
      const existing = rooms.find(name);
      if (!existing || !user.rooms.has(existing.key)) checkRoomCapacity(ctx.server, user);
      if (existing && !user.rooms.has(existing.key)) await checkCanJoin(actor, existing, password);
      if (!existing) checkCanCreate(ctx.server, ctx.session);
      const room =
        existing ??
        (await rooms.create(name, { topic: '', createdBy: user.id }).catch((error: unknown) => {
          // Two users creating the same new room at once: the loser joins the winner's room.
          if (error instanceof ParleyError && error.errorName === 'ROOM_EXISTS') return rooms.require(name);
          throw error;
        }));
      await joinRoom(ctx.server, { user, room, origin: ctx.session });
      ctx.session.enteredRoom(room);
      const lastSeq = await store.lastSeq(room.key);
      const topic = room.topic ? ` topic: ${escapeText(room.topic)}` : '';
      const data = { ...roomData(ctx.server, room, lastSeq), ...(isMuted(room, user) ? { muted: true as const } : {}) };
      return { data, text: `OK JOIN ${room.name} ${data.members} online${topic}` };
    },
  },
  part: {
    summary: 'Leave a room',
    auth: 'user',
    rate: 'none',
    async handle(ctx, { room: name }) {
      const room = ctx.server.rooms.require(homeOf(ctx.server, name).name);
      const user = loggedIn(ctx);
      await partRoom(ctx.server, { user, room, origin: ctx.session });
      return { data: { room: room.name }, text: `OK PART ${room.name}` };
    },
  },
  create: {
    summary: 'Create a room (fails if it exists) and join it; `encrypted` makes it end-to-end encrypted from the start',
    auth: 'user',
    rate: 'join',
    async handle(ctx, { room: name, topic, encrypted }) {
      const user = loggedIn(ctx);
      if (homeOf(ctx.server, name).remote) throw new ParleyError('ROOM_INVALID', `${name} lives on another server: rooms are created on their home (JOIN joins it there)`);
      checkTopic(topic ?? '', ctx.server.config.limits.max_topic_length);
      checkRoomCapacity(ctx.server, user);
      checkCanCreate(ctx.server, ctx.session);
      const room = await ctx.server.rooms.create(name, { topic: topic ?? '', createdBy: user.id, encrypted: encrypted === true });
      await joinRoom(ctx.server, { user, room, origin: ctx.session });
      ctx.session.enteredRoom(room);
      // A room recreated under an old name continues that name's sequence.
      return { data: roomData(ctx.server, room, await ctx.server.store.lastSeq(room.key)), text: `OK CREATE ${room.name}` };
    },
  },
  delete: {
    summary: 'Delete a room (its owners, or operators); its members are told',
    auth: 'user',
    role: 'operator',
    roomRole: 'owner',
    rate: 'none',
    async handle(ctx, { room: name }) {
      const user = loggedIn(ctx);
      const room = ctx.server.rooms.require(name);
      await deleteRoom(ctx.server, room, user);
      if (room.createdBy !== user.id) await audit(ctx.server, { actor: user.name, action: 'room.delete', target: room.name });
      return { data: { room: room.name }, text: `OK DELETE ${room.name}` };
    },
  },
  rooms: {
    summary: 'List rooms with their online member counts and topics (private rooms only to their members)',
    auth: 'user',
    rate: 'none',
    handle(ctx) {
      const actor = actorOf(ctx);
      const rooms = ctx.server.rooms.list().filter((room) => canSeeInside(actor, room));
      return {
        data: { rooms: rooms.map((room) => room.summary(onlineCount(ctx.server, room))) },
        text: `OK ROOMS ${rooms.length} ${rooms.map((room) => `${room.name}(${onlineCount(ctx.server, room)})`).join(' ')}`.trimEnd(),
      };
    },
  },
  who: {
    summary: "List a room's online members, their presence and room roles",
    auth: 'user',
    rate: 'none',
    handle(ctx, { room: name }) {
      const room = ctx.server.rooms.require(name);
      const actor = actorOf(ctx);
      checkCanSeeInside(actor, room);
      // Who is muted is the moderators' business, as is lifting it.
      const moderates = privileged(actor, room);
      const members = [...room.members.values()].map((member): RoomMemberInfo => {
        const role = roomRoleOf(room, member.id);
        const muted = moderates && isMuted(room, member);
        return { name: member.name, status: member.status, kind: member.kind, ...(role === 'member' ? {} : { role }), ...(muted ? { muted } : {}) };
      });
      // Members online on other nodes of a cluster, as their node last announced them.
      for (const member of remoteMembers(ctx.server, room)) {
        const role = roomRoleOf(room, member.id);
        const muted = moderates && room.hasGrant(member.id, 'muted');
        members.push({ name: member.name, status: member.status as RoomMemberInfo['status'], kind: member.kind, ...(role === 'member' ? {} : { role }), ...(muted ? { muted } : {}) });
      }
      // Members from other servers (federation): their presence is not known here.
      for (const name of ctx.server.federation?.roomMembers(room.key) ?? []) {
        const { local, server } = splitServer(name);
        members.push({ name, status: 'online', kind: GUEST_NAME_PATTERN.test(local) ? 'guest' : 'account', ...(server ? { server } : {}) });
      }
      // "alice(owner)", "bob(moderator,away)", "eve(muted)": role, mute, a status other than online.
      const names = members.map((member) => {
        const notes = [member.role, member.muted ? 'muted' : undefined, member.status === 'online' ? undefined : member.status].filter(Boolean);
        return notes.length > 0 ? `${member.name}(${notes.join(',')})` : member.name;
      });
      return { data: { room: room.name, members }, text: `OK WHO ${room.name} ${names.join(' ')}`.trimEnd() };
    },
  },
  topic: {
    summary: "Show a room's topic, or set it (members only)",
    auth: 'user',
    rate: 'message',
    async handle(ctx, { room: name, topic }) {
      const actor = actorOf(ctx);
      const { user } = actor;
      const room = ctx.server.rooms.require(name);
      checkCanSeeInside(actor, room);
      if (topic === undefined) return { data: { room: room.name, topic: room.topic }, text: `OK TOPIC ${room.name} ${escapeText(room.topic)}`.trimEnd() };
      if (!user.rooms.has(room.key)) throw new ParleyError('NOT_IN_ROOM', `Join ${room.name} to set its topic`);
      checkCanSetTopic(actor, room);
      checkTopic(topic, ctx.server.config.limits.max_topic_length);
      await ctx.server.rooms.setTopic(room, topic);
      ctx.server.router.toRoom(room, new OutboundEvent({ ev: 'topic', room: room.name, topic, by: user.name }), ctx.session);
      ctx.server.federation?.topicChanged(room, user.name);
      return { data: { room: room.name, topic }, text: `OK TOPIC ${room.name} ${escapeText(topic)}`.trimEnd() };
    },
  },
};
