import type { CommandArgs, ReplyData, RoomRole, ServerRole, Verb } from '@parley/protocol';
import type { Actor, ServerContext } from '../core/context.ts';
import type { Session } from '../core/session.ts';

/**
 * Who may run a command: `any` connection, only one that has not logged in yet (`anonymous`),
 * or only a logged-in `user`. Checked once in run-command.ts, never inside handlers.
 */
export type AuthRequirement = 'any' | 'anonymous' | 'user';

/**
 * `message` commands draw from the user's message token bucket, `join` ones (joins, room
 * creations) from its join bucket. Every command also draws from its connection's bucket.
 */
export type RateClass = 'none' | 'message' | 'join';

export interface CommandResult<TVerb extends Verb = Verb> {
  /** The structured reply's `data`. */
  data: ReplyData[TVerb];
  /** The text-mode reply: one line, or several (each its own line). Defaults to "OK <VERB>". */
  text?: string | string[];
  /** No reply at all (PONG answers the server's PING; answering it back would be noise). */
  silent?: boolean;
  /** Runs after the reply is queued, e.g. offline messages that should follow "OK welcome". */
  after?: () => void | Promise<void>;
}

export interface CommandContext {
  readonly server: ServerContext;
  readonly session: Session;
  /** The table this command was found in (HELP lists it; passed in rather than imported, which would make a cycle). */
  readonly commands: CommandTable;
}

export interface CommandSpec<TVerb extends Verb> {
  summary: string;
  auth: AuthRequirement;
  /**
   * For `auth: 'user'` commands, the lowest server role that may run it (default `guest`: any
   * logged-in user). Checked once in run-command.ts, like `auth`; handlers never check roles.
   */
  role?: ServerRole;
  /**
   * Room-scoped commands: when the arguments name a `room`, a user holding at least this role
   * in that room may run the command even without `role`.
   */
  roomRole?: RoomRole;
  rate: RateClass;
  handle(ctx: CommandContext, args: CommandArgs<TVerb>): CommandResult<TVerb> | Promise<CommandResult<TVerb>>;
}

/** Every verb of the protocol must have an entry: a missing one fails to compile. */
export type CommandTable = { readonly [TVerb in Verb]: CommandSpec<TVerb> };

export type CommandFamily<TVerbs extends Verb> = { readonly [TVerb in TVerbs]: CommandSpec<TVerb> };

/** The session of a command that requires `auth: 'user'` (run-command.ts guarantees it). */
export function loggedIn(ctx: CommandContext) {
  const user = ctx.session.user;
  if (!user) throw new Error('handler for a logged-in command ran without a user');
  return user;
}

/** The logged-in user of a command that requires `auth: 'user'`, with its server and connection. */
export function actorOf(ctx: CommandContext): Actor {
  return { server: ctx.server, session: ctx.session, user: loggedIn(ctx) };
}
