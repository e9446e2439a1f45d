import { ParleyError } from '@parley/protocol';
import type { TextCommand } from './text-syntax.ts';
import { looksLikeDuration } from '../moderation/ban-target.ts';

/**
 * Text forms of the operator and moderation commands (issue 6). A leading "#room" word makes
 * KICK, BAN, UNBAN and LISTBANS room-scoped; BAN reads an optional duration ("10m", "2h", "7d")
 * before the free-text reason. Spread into TEXT_COMMANDS.
 */
function optional<TValue>(key: string, value: TValue | undefined): Record<string, TValue> {
  return value === undefined || value === '' ? {} : { [key]: value };
}

/** Splits a leading "#room" off the words; `at` is where the remaining arguments start. */
function scoped(words: string[]): { room: Record<string, string>; at: number } {
  const first = words[0];
  return first?.startsWith('#') ? { room: { room: first }, at: 1 } : { room: {}, at: 0 };
}

/** "+i -m +t +k secret -k": invite_only, moderated, topic_lock, password. */
function modeArgs(words: string[]): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const flags: Record<string, string> = { i: 'invite_only', m: 'moderated', t: 'topic_lock' };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const on = word.startsWith('+');
    for (const letter of word.slice(1)) {
      if (letter === 'k') args.password = on ? (words[++i] ?? '') : '';
      else if (flags[letter]) args[flags[letter]] = on;
      else throw new ParleyError('BAD_ARGUMENTS', `Unknown mode "${letter}": use +i/-i, +m/-m, +t/-t, +k <password>/-k`);
    }
  }
  return args;
}

export const MODERATION_TEXT_COMMANDS: Readonly<Record<string, TextCommand>> = {
  OPER: { usage: 'OPER <password>   (the one-time operator password the server printed)', parse: (_w, rest) => ({ verb: 'oper', args: { password: rest(0) } }) },
  SERVERINFO: { usage: 'SERVERINFO', parse: () => ({ verb: 'serverinfo', args: {} }) },
  USERINFO: { usage: 'USERINFO <name>', parse: (w) => ({ verb: 'userinfo', args: { name: w[0] } }) },
  WHOIS: { usage: 'WHOIS <name>', parse: (w) => ({ verb: 'userinfo', args: { name: w[0] } }) },
  KICK: {
    usage: 'KICK [#room] <name> [reason]',
    parse: (w, rest) => {
      const { room, at } = scoped(w);
      return { verb: 'kick', args: { ...room, name: w[at], ...optional('reason', rest(at + 1)) } };
    },
  },
  BAN: {
    usage: 'BAN [#room] <name|ip|cidr|key:fingerprint> [duration] [reason]',
    parse: (w, rest) => {
      const { room, at } = scoped(w);
      const hasDuration = looksLikeDuration(w[at + 1]);
      const duration = hasDuration ? { duration: w[at + 1] } : {};
      return { verb: 'ban', args: { ...room, target: w[at], ...duration, ...optional('reason', rest(at + (hasDuration ? 2 : 1))) } };
    },
  },
  UNBAN: {
    usage: 'UNBAN [#room] <name|ip|cidr|key:fingerprint>',
    parse: (w) => {
      const { room, at } = scoped(w);
      return { verb: 'unban', args: { ...room, target: w[at] } };
    },
  },
  LISTBANS: { usage: 'LISTBANS [#room]', parse: (w) => ({ verb: 'listbans', args: optional('room', w[0]) }) },
  BROADCAST: { usage: 'BROADCAST <text>', parse: (_w, rest) => ({ verb: 'broadcast', args: { text: rest(0) } }) },
  MUTE: { usage: 'MUTE <#room> <name> [reason]', parse: (w, rest) => ({ verb: 'mute', args: { room: w[0], name: w[1], ...optional('reason', rest(2)) } }) },
  UNMUTE: { usage: 'UNMUTE <#room> <name>', parse: (w) => ({ verb: 'unmute', args: { room: w[0], name: w[1] } }) },
  MODE: {
    usage: 'MODE <#room> [+i|-i] [+m|-m] [+t|-t] [+k password|-k]   (invite-only, moderated, topic lock, password)',
    parse: (w) => ({ verb: 'mode', args: { room: w[0], ...modeArgs(w.slice(1)) } }),
  },
  INVITE: { usage: 'INVITE <#room> <name>', parse: (w) => ({ verb: 'invite', args: { room: w[0], name: w[1] } }) },
  ROOMROLE: { usage: 'ROOMROLE <#room> <name> <owner|moderator|member>', parse: (w) => ({ verb: 'roomrole', args: { room: w[0], name: w[1], role: w[2] } }) },
  GRANT: { usage: 'GRANT <name> <owner|operator|user>', parse: (w) => ({ verb: 'grant', args: { name: w[0], role: w[1] } }) },
  DISABLE: { usage: 'DISABLE <command>', parse: (w) => ({ verb: 'disable', args: { command: w[0] } }) },
  ENABLE: { usage: 'ENABLE <command>', parse: (w) => ({ verb: 'enable', args: { command: w[0] } }) },
  AUDIT: {
    usage: 'AUDIT [count]',
    parse: (w) => ({ verb: 'audit', args: optional('limit', w[0] === undefined ? undefined : /^\d+$/.test(w[0]) ? Number(w[0]) : w[0]) }),
  },
};
