import { MODE_USAGE, parseModeFlags, type ModeChanges } from './room-modes.ts';

/** What the message box understands besides plain text. Parsing is pure; run-input.ts runs them. */
export type SlashCommand =
  | { cmd: 'say'; text: string }
  | { cmd: 'join'; room: string }
  | { cmd: 'leave'; room: string | undefined }
  | { cmd: 'msg'; to: string; text: string }
  | { cmd: 'query'; to: string }
  | { cmd: 'nick'; name: string }
  | { cmd: 'topic'; topic: string | undefined }
  | { cmd: 'away' }
  | { cmd: 'back' }
  | { cmd: 'who' }
  | { cmd: 'rooms' }
  | { cmd: 'help' }
  | { cmd: 'oper'; password: string }
  | { cmd: 'mute'; name: string; reason: string | undefined }
  | { cmd: 'unmute'; name: string }
  | { cmd: 'invite'; name: string }
  | { cmd: 'mode'; changes: ModeChanges }
  | { cmd: 'invalid'; message: string };

export const SLASH_HELP: readonly (readonly [usage: string, summary: string])[] = [
  ['/join #room', 'join a room (it is created if it does not exist)'],
  ['/leave [#room]', 'leave this room or another one'],
  ['/msg name text', 'send a direct message'],
  ['/query name', 'open a direct conversation'],
  ['/nick name', 'change your name'],
  ['/topic [text]', "show or set this room's topic"],
  ['/away, /back', 'set your presence'],
  ['/who', "list this room's members"],
  ['/rooms', 'list the rooms on this server'],
  ['/oper password', "become an operator on this connection with the server's one-time operator password"],
  ['/mute name [reason]', "stop someone writing in this room (the room's moderators)"],
  ['/unmute name', 'let them write here again'],
  ['/invite name', 'let someone join this room past invite-only and its password'],
  [MODE_USAGE, "show this room's modes, or set invite-only, moderated, topic lock, password"],
  ['/help', 'this list'],
];

/** Parses one input; text that does not start with "/" (or starts with "//") is a message. */
export function parseInput(input: string): SlashCommand {
  if (!input.startsWith('/')) return { cmd: 'say', text: input };
  if (input.startsWith('//')) return { cmd: 'say', text: input.slice(1) };
  const match = /^\/(\S+)\s*([\s\S]*)$/.exec(input);
  const verb = match?.[1]?.toLowerCase() ?? '';
  const rest = match?.[2]?.trim() ?? '';
  const [first = '', ...others] = rest.split(/\s+/);
  const usage = (text: string): SlashCommand => ({ cmd: 'invalid', message: `Usage: ${text}` });
  switch (verb) {
    case 'join':
    case 'j':
      if (!first) return usage('/join #room');
      return { cmd: 'join', room: first.startsWith('#') ? first : `#${first}` };
    case 'leave':
    case 'part':
      return { cmd: 'leave', room: first ? (first.startsWith('#') ? first : `#${first}`) : undefined };
    case 'msg':
    case 'dm': {
      const text = rest.slice(first.length).replace(/^\s+/, '');
      if (!first || !text) return usage('/msg name text');
      return { cmd: 'msg', to: first, text };
    }
    case 'query':
      if (!first) return usage('/query name');
      return { cmd: 'query', to: first };
    case 'nick':
      if (!first || others.length > 0) return usage('/nick name');
      return { cmd: 'nick', name: first };
    case 'topic':
      return { cmd: 'topic', topic: rest === '' ? undefined : rest };
    case 'away':
      return { cmd: 'away' };
    case 'back':
      return { cmd: 'back' };
    case 'who':
    case 'names':
      return { cmd: 'who' };
    case 'rooms':
    case 'list':
      return { cmd: 'rooms' };
    case 'oper':
      if (!first || others.length > 0) return usage('/oper password');
      return { cmd: 'oper', password: first };
    case 'mute': {
      const reason = rest.slice(first.length).trim();
      if (!first) return usage('/mute name [reason]');
      return { cmd: 'mute', name: first, reason: reason || undefined };
    }
    case 'unmute':
    case 'invite':
      if (!first || others.length > 0) return usage(`/${verb} name`);
      return { cmd: verb, name: first };
    case 'mode': {
      const changes = parseModeFlags(rest === '' ? [] : rest.split(/\s+/));
      return changes ? { cmd: 'mode', changes } : usage(MODE_USAGE);
    }
    case 'help':
    case '?':
      return { cmd: 'help' };
    default:
      return { cmd: 'invalid', message: `Unknown command /${verb}. Type /help for the list.` };
  }
}
