import { COMMAND_SCHEMAS, ERRORS, isVerb, ParleyError, parseCommandLine, RequestIdSchema, toParleyError, type RequestId, type Verb } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import type { Inbound } from '../core/inbound.ts';
import type { Session } from '../core/session.ts';
import type { CommandContext, CommandResult, CommandSpec } from './command.ts';
import { COMMANDS } from './table.ts';
import { checkNotMirrored } from './federated-rooms.ts';
import { authorize, checkDisabled } from './authorize.ts';

interface Request {
  id: RequestId | null;
  verb: Verb;
  args: unknown;
}

function toRequest(session: Session, inbound: Inbound): { id: RequestId | null; request?: Request; error?: ParleyError } {
  if (inbound.kind === 'error') return { id: null, error: inbound.error };
  if (inbound.kind === 'line') {
    try {
      const { verb, args } = parseCommandLine(inbound.text, { currentRoom: session.currentRoom });
      return { id: null, request: { id: null, verb, args } };
    } catch (error) {
      return { id: null, error: toParleyError(error) };
    }
  }
  const { cmd, id: rawId, ...args } = inbound.value;
  const parsedId = rawId === undefined ? undefined : RequestIdSchema.safeParse(rawId);
  const id = parsedId?.success ? parsedId.data : null;
  if (parsedId && !parsedId.success) return { id, error: new ParleyError('BAD_FRAME', '"id" must be a number or a string of at most 64 characters') };
  if (typeof cmd !== 'string') return { id, error: new ParleyError('BAD_FRAME', 'A frame needs a string "cmd", e.g. {"cmd":"hello","v":1}') };
  if (!isVerb(cmd)) return { id, error: new ParleyError('UNKNOWN_COMMAND', `Unknown command "${cmd.slice(0, 40)}"`) };
  if (!session.helloDone && cmd !== 'hello') return { id, error: new ParleyError('HELLO_REQUIRED', 'Send {"cmd":"hello","v":1} first') };
  return { id, request: { id, verb: cmd, args } };
}

function checkAuth(spec: CommandSpec<Verb>, session: Session): void {
  if (spec.auth === 'user' && !session.user) {
    throw new ParleyError('NOT_LOGGED_IN', 'Log in first: REGISTER <name> for a guest name, or LOGIN <name> <password>');
  }
  if (spec.auth === 'anonymous' && session.user) {
    throw new ParleyError('ALREADY_LOGGED_IN', `This connection is already logged in as ${session.user.name}`);
  }
}

/** After validation, so a malformed request does not spend a token of the sender's budget. */
function checkRate(server: ServerContext, spec: CommandSpec<Verb>, session: Session): void {
  const user = session.user;
  if (!user || spec.rate === 'none') return;
  const waitMs = spec.rate === 'message' ? user.messageRate.take() : server.moderation.takeJoin(user);
  if (waitMs > 0) {
    const what = spec.rate === 'message' ? 'you are sending too fast' : 'you are joining or creating rooms too fast';
    throw new ParleyError('RATE_LIMITED', `Slow down: ${what}`, { retryAfterMs: waitMs });
  }
  if (spec.rate === 'message') server.cluster?.spentMessage(user);
  session.clearStrikes();
}

/**
 * Commands without a per-user bucket (history, who, list, ping, login attempts, ...), before
 * anything else is done with them: bounds the work one connection can cause with commands that
 * are otherwise free. Rated commands are bounded by the user's buckets instead.
 */
function checkConnectionRate(server: ServerContext, spec: CommandSpec<Verb>, session: Session): void {
  if (spec.rate !== 'none') return;
  const waitMs = server.moderation.takeCommand(session);
  if (waitMs > 0) throw new ParleyError('RATE_LIMITED', 'Slow down: this connection sends too many commands', { retryAfterMs: waitMs });
}

/**
 * NUL anywhere in the arguments: PostgreSQL cannot store it in text, and no name, message or
 * topic needs it, so every store refuses it alike, here.
 */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (typeof value !== 'object' || value === null) return false;
  // Loops, not some()/Object.values: this runs for every command, sends included.
  if (Array.isArray(value)) {
    for (const item of value) if (hasNul(item)) return true;
    return false;
  }
  for (const key in value) if (hasNul((value as Record<string, unknown>)[key])) return true;
  return false;
}

function validate(verb: Verb, args: unknown): unknown {
  const parsed = COMMAND_SCHEMAS[verb].safeParse(args);
  if (parsed.success) {
    if (hasNul(parsed.data)) throw new ParleyError('BAD_ARGUMENTS', `${verb}: text may not contain NUL (U+0000)`);
    return parsed.data;
  }
  const detail = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`)
    .join('; ');
  throw new ParleyError('BAD_ARGUMENTS', `${verb}: ${detail}`);
}

/**
 * Refusals that count towards the flood disconnect: rate limits and logins refused while
 * locked out, so hammering either ends the connection instead of costing the server forever.
 */
function isExcess(failure: ParleyError): boolean {
  return failure.errorName === 'RATE_LIMITED' || failure.errorName === 'LOGIN_LOCKED';
}

/**
 * What a command does after its reply (offline messages after "OK welcome", a close after
 * "OK bye"). The command has succeeded and said so: a failure here is logged, never answered
 * with a second, contradicting reply.
 */
async function runAfter(server: ServerContext, session: Session, { verb, after }: { verb: Verb; after: () => void | Promise<void> }): Promise<void> {
  try {
    await after();
  } catch (err) {
    server.log.error({ err, verb, session: session.id }, 'after-reply step failed');
  }
}

/**
 * The one path every command takes, from every transport and mode: parse, look up the table
 * entry, check its requirements, validate, run, reply. Handlers never write to the socket;
 * they return a result and this function replies (or turns a throw into a coded error).
 */
export async function runCommand(server: ServerContext, session: Session, inbound: Inbound): Promise<void> {
  const { id, request, error } = toRequest(session, inbound);
  if (!request) {
    session.reply(id, 'error', { ok: false, error: error ?? new ParleyError('BAD_FRAME') });
    return;
  }
  const spec = COMMANDS[request.verb] as CommandSpec<Verb>;
  try {
    checkConnectionRate(server, spec, session);
    checkAuth(spec, session);
    const args = validate(request.verb, request.args);
    const ctx: CommandContext = { server, session, commands: COMMANDS };
    checkNotMirrored(ctx.server, request.verb, args);
    authorize(ctx, { verb: request.verb, spec, args });
    checkDisabled(server, request.verb, session);
    checkRate(server, spec, session);
    const result: CommandResult = await spec.handle(ctx, args as never);
    if (!session.closed && !result.silent) session.reply(id, request.verb, { ok: true, data: result.data, text: result.text });
    if (result.after) await runAfter(server, session, { verb: request.verb, after: result.after });
  } catch (thrown) {
    const failure = toParleyError(thrown);
    if (failure.errorName === 'INTERNAL') server.log.error({ err: thrown, verb: request.verb, session: session.id }, 'command failed');
    session.reply(id, request.verb, { ok: false, error: failure });
    // "stop" errors end the connection; the reply above already told the client why.
    if (ERRORS[failure.errorName].action === 'stop') session.close(failure.errorName, failure.message, false);
    else if (isExcess(failure) && session.countStrike() >= server.config.limits.flood_disconnect_after) {
      session.close('FLOODING', 'Disconnected for flooding: too many messages over the rate limit');
    }
  }
}
