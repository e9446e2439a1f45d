import { isVerb, ParleyError, type Verb } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import type { Session } from '../core/session.ts';
import { atLeast, roomAtLeast } from '../moderation/roles.ts';
import type { CommandContext, CommandSpec } from './command.ts';

/** Commands an operator cannot disable: without them nobody could connect, ask, or undo it. */
export const ALWAYS_ENABLED: ReadonlySet<Verb> = new Set<Verb>(['hello', 'help', 'ping', 'pong', 'quit', 'oper', 'enable', 'disable']);

/** Whether DISABLE (or `parley admin disable`) accepts this lower-case verb. */
export function canDisable(verb: string): verb is Verb {
  return isVerb(verb) && !ALWAYS_ENABLED.has(verb);
}

/**
 * The one authorization check: a table entry's `role` (server-wide) or, for room-scoped
 * commands whose arguments name a room, its `roomRole` in that room. Runs in run-command.ts
 * after validation and before the handler; handlers do not check roles themselves.
 */
export function authorize({ server, session }: CommandContext, { verb, spec, args }: { verb: Verb; spec: CommandSpec<Verb>; args: unknown }): void {
  const user = session.user;
  if (spec.auth !== 'user' || !user) return;
  const needed = spec.role ?? 'guest';
  if (atLeast(server.moderation.roleOf(session), needed)) return;
  const roomName = spec.roomRole && typeof args === 'object' && args !== null ? (args as { room?: unknown }).room : undefined;
  if (spec.roomRole && typeof roomName === 'string') {
    const room = server.rooms.require(roomName);
    if (roomAtLeast(room, user, spec.roomRole)) return;
    throw new ParleyError('FORBIDDEN', `${verb.toUpperCase()} in ${room.name} needs its ${spec.roomRole} role or a server ${needed}`);
  }
  throw new ParleyError('FORBIDDEN', `${verb.toUpperCase()} needs the ${needed} role${spec.roomRole ? ` (or ${spec.roomRole} of the room it names)` : ''}`);
}

/** Disabled commands are refused to everyone below operator; operators keep them. */
export function checkDisabled(server: ServerContext, verb: Verb, session: Session): void {
  if (!server.moderation.disabled.has(verb)) return;
  if (session.user && atLeast(server.moderation.roleOf(session), 'operator')) return;
  throw new ParleyError('COMMAND_DISABLED', `${verb.toUpperCase()} is disabled on this server`);
}
