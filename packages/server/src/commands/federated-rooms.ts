import { ParleyError, splitServer } from '@parley/protocol';
import { checkRoomCapacity, joinRoom, onlineCount } from '../chat/membership.ts';
import type { Actor, ServerContext } from '../core/context.ts';
import { escapeText } from '../core/text-lines.ts';
import type { CommandResult } from './command.ts';
import { elsewhere } from '../chat/federated-names.ts';

/**
 * Where a room name lives: `#dev@<this server's name>` is this server's #dev; `#dev@b.example`
 * is b.example's, reached through federation (FEDERATION_DISABLED on a server that does not federate).
 */
export function homeOf(server: ServerContext, name: string): { name: string; remote: boolean } {
  if (elsewhere(server, name)) return { name, remote: true };
  return { name: splitServer(name).local, remote: false };
}

/** JOIN of a room homed on another server: it says yes (or why not), then the user is a member of its mirror here. */
export async function joinRemote(actor: Actor, name: string, password: string | undefined): Promise<CommandResult<'join'>> {
  const { server, user, session } = actor;
  const federation = server.federation!;
  const existing = server.rooms.find(name);
  if (!existing || !user.rooms.has(existing.key)) checkRoomCapacity(server, user);
  const room = existing && user.rooms.has(existing.key) ? existing : await federation.mirrors.join(actor, name, password);
  await joinRoom(server, { user, room, origin: session });
  session.enteredRoom(room);
  const lastSeq = await server.store.lastSeq(room.key);
  const data = { ...room.summary(onlineCount(server, room) + federation.roomMembers(room.key).length), conv: room.key, lastSeq };
  const topic = room.topic ? ` topic: ${escapeText(room.topic)}` : '';
  return { data, text: `OK JOIN ${room.name} ${data.members} online${topic}` };
}

/** Commands that change a room's state: on a mirror they would only change this server's copy. */
const HOME_ONLY: ReadonlySet<string> = new Set(['mode', 'kick', 'ban', 'unban', 'mute', 'unmute', 'invite', 'roomrole', 'delete']);

/**
 * A mirrored room's topic, modes, roles and moderation belong to its home: refused here, before
 * the handler, so the copy never drifts from the home (`topic` only when it sets one).
 */
export function checkNotMirrored(server: ServerContext, verb: string, args: unknown): void {
  const federation = server.federation;
  if (!federation || typeof args !== 'object' || args === null) return;
  const { room: name, topic } = args as { room?: unknown; topic?: unknown };
  if (typeof name !== 'string' || !(HOME_ONLY.has(verb) || (verb === 'topic' && topic !== undefined))) return;
  const room = name.includes('@') ? server.rooms.find(name) : undefined;
  if (!room || !federation.mirrors.isMirror(room.key)) return;
  throw new ParleyError('FORBIDDEN', `${room.name} lives on ${splitServer(room.name).server}: its topic, modes and moderation are set there`);
}
