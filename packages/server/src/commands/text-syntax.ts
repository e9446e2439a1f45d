import { ParleyError, type Verb } from '@parley/protocol';
import { MODERATION_TEXT_COMMANDS } from './moderation-text-syntax.ts';

/**
 * The text line mode: how a typed line ("SEND bob hi", "/join #dev") becomes the same
 * `{verb, args}` a structured frame carries. Arguments are only split here; the protocol schema
 * validates them afterwards, exactly as for JSON and MessagePack frames.
 */
export interface TextCommand {
  usage: string;
  parse(words: string[], rest: (n: number) => string): { verb: Verb; args: Record<string, unknown> };
}

function intOrRaw(word: string | undefined): number | string | undefined {
  if (word === undefined) return undefined;
  return /^\d+$/.test(word) ? Number(word) : word;
}

function optional<TValue>(key: string, value: TValue | undefined): Record<string, TValue> {
  return value === undefined || value === '' ? {} : { [key]: value };
}

const send = (words: string[], rest: (n: number) => string) => ({
  verb: 'send' as const,
  args: { to: (words[0] ?? '').split(',').filter(Boolean), text: rest(1) },
});

export const TEXT_COMMANDS: Readonly<Record<string, TextCommand>> = {
  CREATEROOM: {
    usage: 'CREATEROOM <#room> [topic]',
    parse: (w, rest) => ({ verb: 'create', args: { room: w[0], ...optional('topic', rest(1)) } }),
  },
  DELETEROOM: { usage: 'DELETEROOM <#room>', parse: (w) => ({ verb: 'delete', args: { room: w[0] } }) },
  REGISTER: {
    usage: 'REGISTER [name] [password]   (no password: a guest name for this connection; with one: create an account)',
    parse: (w, rest) =>
      w.length >= 2 ? { verb: 'register', args: { name: w[0], password: rest(1) } } : { verb: 'guest', args: optional('name', w[0]) },
  },
  GUEST: { usage: 'GUEST [name]', parse: (w) => ({ verb: 'guest', args: optional('name', w[0]) }) },
  LOGIN: { usage: 'LOGIN <name> <password>', parse: (w, rest) => ({ verb: 'login', args: { name: w[0], password: rest(1) } }) },
  NICK: { usage: 'NICK <newname>', parse: (w) => ({ verb: 'nick', args: { name: w[0] } }) },
  SEND: { usage: 'SEND <name|name1,name2|#room|ALL> <text>', parse: send },
  MSG: { usage: 'MSG <name> <text>', parse: send },
  SAY: { usage: 'SAY <#room> <text>', parse: send },
  JOIN: { usage: 'JOIN <#room> [password]', parse: (w, rest) => ({ verb: 'join', args: { room: w[0], ...optional('password', rest(1)) } }) },
  PART: { usage: 'PART <#room>', parse: (w) => ({ verb: 'part', args: { room: w[0] } }) },
  LEAVE: { usage: 'LEAVE <#room>', parse: (w) => ({ verb: 'part', args: { room: w[0] } }) },
  CREATE: {
    usage: 'CREATE <#room> [topic]',
    parse: (w, rest) => ({ verb: 'create', args: { room: w[0], ...optional('topic', rest(1)) } }),
  },
  DELETE: { usage: 'DELETE <#room>', parse: (w) => ({ verb: 'delete', args: { room: w[0] } }) },
  ROOMS: { usage: 'ROOMS', parse: () => ({ verb: 'rooms', args: {} }) },
  WHO: { usage: 'WHO <#room>', parse: (w) => ({ verb: 'who', args: { room: w[0] } }) },
  LIST: { usage: 'LIST   (online users)', parse: () => ({ verb: 'list', args: {} }) },
  USERS: { usage: 'USERS', parse: () => ({ verb: 'list', args: {} }) },
  TOPIC: {
    usage: 'TOPIC <#room> [new topic]',
    parse: (w, rest) => ({ verb: 'topic', args: { room: w[0], ...optional('topic', rest(1)) } }),
  },
  HISTORY: {
    usage: 'HISTORY <#room|name|ALL> [count]',
    parse: (w) => ({ verb: 'history', args: { with: w[0], ...optional('limit', intOrRaw(w[1])) } }),
  },
  AWAY: { usage: 'AWAY', parse: () => ({ verb: 'presence', args: { status: 'away' } }) },
  BACK: { usage: 'BACK', parse: () => ({ verb: 'presence', args: { status: 'online' } }) },
  HELP: { usage: 'HELP', parse: () => ({ verb: 'help', args: {} }) },
  SERVERHELP: { usage: 'SERVERHELP', parse: () => ({ verb: 'help', args: {} }) },
  PING: { usage: 'PING [token]', parse: (w) => ({ verb: 'ping', args: optional('token', w[0]) }) },
  PONG: { usage: 'PONG [token]', parse: (w) => ({ verb: 'pong', args: optional('token', w[0]) }) },
  QUIT: { usage: 'QUIT [reason]', parse: (_w, rest) => ({ verb: 'quit', args: optional('reason', rest(0)) }) },
  ...MODERATION_TEXT_COMMANDS,
};

/**
 * Parses one line. "/join #x" and "JOIN #x" are the same; verbs are case-insensitive. Free text
 * (a message, a topic) is everything after the leading words, spacing kept.
 */
export function parseTextLine(line: string): { verb: Verb; args: Record<string, unknown> } {
  const trimmed = line.trim();
  const body = trimmed.startsWith('/') ? trimmed.slice(1) : trimmed;
  const match = /^(\S+)\s*(.*)$/s.exec(body);
  const word = match?.[1]?.toUpperCase() ?? '';
  const command = TEXT_COMMANDS[word];
  if (!command) {
    const hint = word === '' ? 'Empty line.' : `Unknown command "${match?.[1]}".`;
    throw new ParleyError('UNKNOWN_COMMAND', `${hint} Type HELP for the commands; to talk in a room: SAY #room text`);
  }
  const tail = match?.[2] ?? '';
  const words = tail.split(/\s+/).filter(Boolean);
  // rest(n): the tail after its first n words, with the text's own spacing preserved.
  const rest = (n: number): string => skipWords(tail, n);
  return command.parse(words, rest);
}

function skipWords(text: string, n: number): string {
  let at = 0;
  for (let i = 0; i < n; i++) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    while (at < text.length && !/\s/.test(text[at]!)) at++;
  }
  while (at < text.length && /\s/.test(text[at]!)) at++;
  return text.slice(at);
}
