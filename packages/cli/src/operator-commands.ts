import type { CommandArgs, ReplyData } from '@parley/protocol';

/**
 * Operator and moderation slash commands (issue 7), shared by `parley chat --plain` and the
 * terminal UI. Parsing is pure (`parseOperatorCommand`) and mirrors the server's text syntax
 * (docs/protocol.md, "Operators and moderation"): a leading `#room` makes ban and unban
 * room-scoped; kick, mute, unmute, mode and invite are always room-scoped and default to the
 * current room; /kill is the server-wide kick, as on IRC. The server decides who may run what (FORBIDDEN otherwise); the client never guesses.
 */
export type OperatorVerb = 'oper' | 'userinfo' | 'kick' | 'ban' | 'unban' | 'listbans' | 'broadcast' | 'mute' | 'unmute' | 'mode' | 'invite';

export type OperatorRequest = { [TVerb in OperatorVerb]: { verb: TVerb; args: CommandArgs<TVerb> } }[OperatorVerb];

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Slash name -> verb and usage line. `whois` is an alias of `userinfo`. */
export const OPERATOR_COMMANDS: Record<string, { verb: OperatorVerb; usage: string }> = {
  oper: { verb: 'oper', usage: '/oper password        become an operator with the one-time operator password' },
  userinfo: { verb: 'userinfo', usage: "/userinfo name        a user's account, role, sessions and rooms" },
  whois: { verb: 'userinfo', usage: '/whois name           the same as /userinfo' },
  kick: { verb: 'kick', usage: '/kick [#room] name [reason]   remove from a room (default: the current one)' },
  kill: { verb: 'kick', usage: '/kill name [reason]   disconnect from the server (every connection of theirs)' },
  ban: { verb: 'ban', usage: '/ban [#room] target [duration] [reason]   ban a name, address or range (30m, 7d; none: permanent)' },
  unban: { verb: 'unban', usage: '/unban [#room] target lift a ban' },
  listbans: { verb: 'listbans', usage: '/listbans [#room]     bans in force' },
  mute: { verb: 'mute', usage: '/mute [#room] name [reason]   stop someone speaking in a room' },
  unmute: { verb: 'unmute', usage: '/unmute [#room] name  let them speak again' },
  mode: { verb: 'mode', usage: '/mode [#room] [+i|-i] [+m|-m] [+t|-t] [+k password|-k]   show or set room modes' },
  invite: { verb: 'invite', usage: '/invite [#room] name  let someone into an invite-only room' },
  broadcast: { verb: 'broadcast', usage: '/broadcast text       a notice to every connection on the server' },
};

const DURATION = /^\d+[smhdw]?$/i;
const words = (args: string) => args.trim().split(/\s+/).filter(Boolean);
/** The text after the first `count` words, spacing kept. */
function rest(args: string, count: number): string {
  let text = args.trim();
  for (let i = 0; i < count; i++) text = text.replace(/^\S+\s*/, '');
  return text;
}

function need(value: string | undefined, usage: string): string {
  if (!value) throw new UsageError(`usage: ${usage.split(/\s{2,}/)[0]}`);
  return value;
}

/** Parses MODE flags: "+imt", "-k", "+k secret" (flags combine, as in the server's text syntax). */
function parseModes(tokens: string[], usage: string): Omit<CommandArgs<'mode'>, 'room'> {
  const modes: Omit<CommandArgs<'mode'>, 'room'> = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const sign = token[0];
    if ((sign !== '+' && sign !== '-') || token.length < 2) throw new UsageError(`usage: ${usage.split(/\s{2,}/)[0]}`);
    for (const letter of token.slice(1)) {
      const on = sign === '+';
      if (letter === 'i') modes.invite_only = on;
      else if (letter === 'm') modes.moderated = on;
      else if (letter === 't') modes.topic_lock = on;
      else if (letter === 'k') modes.password = on ? need(tokens[++i], '/mode #room +k password') : '';
      else throw new UsageError(`unknown mode letter ${letter} (i, m, t, k)`);
    }
  }
  return modes;
}

/** `/name args` -> the request to send; throws UsageError for what cannot be sent. */
export function parseOperatorCommand(name: string, args: string, currentRoom: string | undefined): OperatorRequest {
  const spec = OPERATOR_COMMANDS[name];
  if (!spec) throw new UsageError(`unknown command /${name}`);
  const { usage } = spec;
  const w = words(args);
  const explicit = w[0]?.startsWith('#') ? w[0] : undefined;
  const at = explicit ? 1 : 0;
  const room = () => need(explicit ?? currentRoom, 'no current room: name one (#room)');
  const reason = (index: number) => {
    const text = rest(args, index);
    return text ? { reason: text } : {};
  };
  switch (spec.verb) {
    case 'oper':
      return { verb: 'oper', args: { password: need(w[0], usage) } };
    case 'userinfo':
      return { verb: 'userinfo', args: { name: need(w[0], usage) } };
    case 'broadcast':
      return { verb: 'broadcast', args: { text: need(args.trim(), usage) } };
    case 'listbans':
      return { verb: 'listbans', args: explicit ? { room: explicit } : {} };
    case 'kick':
      // As on IRC: /kick acts on a room (the current one unless named), /kill on the server.
      if (name === 'kill') return { verb: 'kick', args: { name: need(w[0], usage), ...reason(1) } };
      return {
        verb: 'kick',
        args: { room: need(explicit ?? currentRoom, 'no current room: /kick #room name, or /kill name to disconnect'), name: need(w[at], usage), ...reason(at + 1) },
      };
    case 'unban':
      return { verb: 'unban', args: { target: need(w[at], usage), ...(explicit ? { room: explicit } : {}) } };
    case 'ban': {
      const target = need(w[at], usage);
      const duration = w[at + 1] !== undefined && DURATION.test(w[at + 1]!) ? w[at + 1]! : undefined;
      return { verb: 'ban', args: { target, ...(explicit ? { room: explicit } : {}), ...(duration ? { duration } : {}), ...reason(at + (duration ? 2 : 1)) } };
    }
    case 'mute':
      return { verb: 'mute', args: { room: room(), name: need(w[at], usage), ...reason(at + 1) } };
    case 'unmute':
      return { verb: 'unmute', args: { room: room(), name: need(w[at], usage) } };
    case 'invite':
      return { verb: 'invite', args: { room: room(), name: need(w[at], usage) } };
    case 'mode':
      return { verb: 'mode', args: { room: room(), ...parseModes(w.slice(at), usage) } };
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const until = (expires: number | null) => (expires === null ? 'permanent' : `until ${iso(expires)}`);

/** A user's info as readable lines (addresses appear only when the server sent them). */
export function formatUserInfo(info: ReplyData['userinfo']): string[] {
  const lines = [`${info.name}: ${info.kind}, role ${info.role}, ${info.online ? 'online' : 'offline'}${info.created ? `, account since ${iso(info.created)}` : ''}`];
  for (const s of info.sessions) lines.push(`  connection ${s.id} over ${s.transport} since ${iso(s.since)}${s.ip ? ` from ${s.ip}` : ''}`);
  lines.push(`  rooms: ${info.rooms.length === 0 ? 'none' : info.rooms.map((r) => (r.role === 'member' ? r.name : `${r.name} (${r.role})`)).join(', ')}`);
  return lines;
}

/** The server's reply as lines for the message pane or stderr. */
export function formatOperatorReply(request: OperatorRequest, data: ReplyData[OperatorVerb]): string[] {
  switch (request.verb) {
    case 'oper':
      return [`you are now ${(data as ReplyData['oper']).role} on this connection`];
    case 'userinfo':
      return formatUserInfo(data as ReplyData['userinfo']);
    case 'kick': {
      const kick = data as ReplyData['kick'];
      return [kick.room ? `kicked ${kick.name} from ${kick.room}` : `kicked ${kick.name} (${kick.sessions} connection(s) closed)`];
    }
    case 'ban': {
      const ban = data as ReplyData['ban'];
      const scope = ban.scope === 'server' ? 'the server' : ban.scope;
      return [`banned ${ban.kind} ${ban.target} from ${scope}, ${until(ban.expires)}${ban.disconnected > 0 ? ` (${ban.disconnected} disconnected)` : ''}`];
    }
    case 'unban': {
      const unban = data as ReplyData['unban'];
      return [`lifted the ban on ${unban.kind} ${unban.target} (${unban.scope})`];
    }
    case 'listbans': {
      const { bans } = data as ReplyData['listbans'];
      if (bans.length === 0) return ['no bans in force'];
      return bans.map((b) => `ban ${b.scope} ${b.kind} ${b.target} by ${b.by} at ${iso(b.at)}, ${until(b.expires)}${b.reason ? `: ${b.reason}` : ''}`);
    }
    case 'broadcast':
      return [`broadcast sent to ${(data as ReplyData['broadcast']).recipients} connection(s)`];
    case 'mute':
    case 'unmute': {
      const mute = data as ReplyData['mute'];
      return [`${request.verb === 'mute' ? 'muted' : 'unmuted'} ${mute.name} in ${mute.room}`];
    }
    case 'invite': {
      const invite = data as ReplyData['invite'];
      return [`invited ${invite.name} to ${invite.room}`];
    }
    case 'mode': {
      const { room, modes } = data as ReplyData['mode'];
      const set = [modes.inviteOnly && 'invite-only (+i)', modes.moderated && 'moderated (+m)', modes.topicLock && 'topic lock (+t)', modes.password && 'password (+k)'].filter(Boolean);
      return [`${room} modes: ${set.length > 0 ? set.join(', ') : 'none'}`];
    }
  }
}
