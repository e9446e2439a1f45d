import { OutboundEvent } from '../core/outbound.ts';
import { nameKey, ParleyError, type ServerEvent, type ServerRole } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import type { Room } from '../chat/room.ts';
import { accountUserId, type User } from '../chat/user.ts';
import type { RemoteUser } from '../chat/cluster-roster.ts';
import { roomRank, roomRoleOf, serverRank } from '../moderation/roles.ts';
import { loggedIn, type CommandContext } from './command.ts';

/** A user named in a moderation command: online now, or an account that is offline. */
export interface NamedUser {
  name: string;
  /** The user id room grants are keyed by ("a<id>" or a guest's "g<random>"). */
  userId: string;
  accountId: number | undefined;
  online: User | undefined;
  /** Online on another node of the cluster (and not here), as that node announced it. */
  remote?: RemoteUser | undefined;
  role: ServerRole;
}

export function namedOnline(server: ServerContext, online: User): NamedUser {
  return { name: online.name, userId: online.id, accountId: online.accountId, online, role: server.moderation.accountRole(online.accountId) };
}

export async function findNamedUser(server: ServerContext, name: string): Promise<NamedUser> {
  const online = server.users.findByName(name);
  if (online) return namedOnline(server, online);
  const remote = server.cluster?.roster.findByName(name);
  const account = await server.store.findAccount(nameKey(name));
  if (account) return { name: account.name, userId: accountUserId(account.id), accountId: account.id, online: undefined, remote, role: server.moderation.accountRole(account.id) };
  if (remote) return { name: remote.name, userId: remote.id, accountId: undefined, online: undefined, remote, role: 'guest' };
  throw new ParleyError('NO_SUCH_USER', `No user or account named ${name}`);
}

/** The parties of a room moderation command aimed at one person: who acts, where, on whom. */
export async function roomAction(ctx: CommandContext, names: { room: string; name: string }): Promise<{ actor: User; room: Room; target: NamedUser }> {
  const actor = loggedIn(ctx);
  const room = ctx.server.rooms.require(names.room);
  return { actor, room, target: await findNamedUser(ctx.server, names.name) };
}

/**
 * Moderators act only on people below them: an operator cannot kick or ban an operator or the
 * owner (the owner can), and a room moderator acting in a room cannot touch the room's
 * moderators and owners or any server operator. Nobody acts on themselves.
 */
export function assertOutranks({ server, session }: CommandContext, target: NamedUser, room?: Room): void {
  const actor = session.user;
  if (actor && actor.id === target.userId) throw new ParleyError('FORBIDDEN', 'You cannot do that to yourself');
  const actorRole = server.moderation.roleOf(session);
  const targetRole = target.online ? roleOfUser(server, target.online) : target.role;
  const serverOutranks = actorRole === 'owner' || serverRank(actorRole) > serverRank(targetRole);
  if (serverRank(actorRole) >= serverRank('operator')) {
    if (!serverOutranks) throw new ParleyError('FORBIDDEN', `${target.name} is a server ${targetRole}; only a higher role can do that`);
    return;
  }
  // A room moderator (authorize() let them through for this room).
  if (!room || serverRank(targetRole) >= serverRank('operator')) throw new ParleyError('FORBIDDEN', `${target.name} is a server ${targetRole}`);
  if (actor && roomRank(roomRoleOf(room, target.userId)) >= roomRank(roomRoleOf(room, actor.id))) {
    throw new ParleyError('FORBIDDEN', `${target.name} is a ${roomRoleOf(room, target.userId)} of ${room.name}`);
  }
}

/** The highest role among a user's sessions (an /oper-elevated connection counts). */
function roleOfUser(server: ServerContext, user: User): ServerRole {
  let best = server.moderation.accountRole(user.accountId);
  for (const session of user.sessions) {
    const role = server.moderation.roleOf(session);
    if (serverRank(role) > serverRank(best)) best = role;
  }
  return best;
}

/** Tells the target, if online, what was done to them (a notice on every connection of theirs). */
export function noticeTarget(server: ServerContext, target: NamedUser, notice: Omit<Extract<ServerEvent, { ev: 'notice' }>, 'ev'>): void {
  const out = new OutboundEvent({ ev: 'notice', ...notice });
  if (target.online) server.router.toUser(target.online, out);
  else if (target.remote) server.cluster?.toUserId(target.userId, out.event);
}
