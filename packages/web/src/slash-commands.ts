import { classifyInput, CLIENT_HELP, ParleyError, parseCommandLine, slashUsage, splitWords, type CommandLine } from '@parley/protocol';
import { t } from './i18n/index.ts';

/**
 * What the message box holds. Server commands are read by the grammar every Parley surface
 * shares (@parley/protocol), so `/mode`, `/kick #room name` or `/changeuname` mean here what
 * they mean in text mode and in the terminal client; only /query, /close and /help are this client's.
 */
export type WebInput =
  | { kind: 'say'; text: string }
  | { kind: 'query'; to: string }
  | { kind: 'close' }
  | { kind: 'help' }
  | { kind: 'command'; line: CommandLine }
  | { kind: 'invalid'; message: string };

/** One line of the help panel: the command word (its summary's catalog key), how it is typed, and the grammar's note. */
export interface HelpEntry {
  word: string;
  usage: string;
  note: string | undefined;
}

/** The grammar writes notes after three spaces: "PART [#room]   (default: the current room)". */
function helpEntry(word: string): HelpEntry {
  const [usage = word, note] = slashUsage(word).split(/ {3,}/);
  return { word, usage, note: note?.replace(/^\((.*)\)$/, '$1') };
}

/** The help panel's groups: this client's own commands, then the shared ones of @parley/protocol. */
export const HELP_GROUPS: Readonly<Record<'client' | 'chat' | 'operator', readonly HelpEntry[]>> = {
  client: [
    { word: 'QUERY', usage: '/query <name>', note: undefined },
    { word: 'CLOSE', usage: '/close', note: undefined },
    { word: 'HELP', usage: '/help', note: undefined },
  ],
  chat: CLIENT_HELP.chat.map(helpEntry),
  operator: CLIENT_HELP.operator.map(helpEntry),
};

const encoder = new TextEncoder();
/** The size the server's `maxTextBytes` limits: UTF-8 bytes, not UTF-16 code units. */
export const textBytes = (text: string): number => encoder.encode(text).length;

/**
 * Parses one input for the conversation it was typed in: `currentRoom` for room commands,
 * `currentTarget` (the room, person or ALL in view) for /me.
 */
export function parseInput(input: string, currentRoom: string | undefined, currentTarget: string | undefined = currentRoom): WebInput {
  const classified = classifyInput(input);
  if (classified.kind === 'text') return { kind: 'say', text: classified.text };
  const split = splitWords(input.replace(/^\/{1,2}/, ''));
  const word = split.word.toLowerCase();
  if (word === 'help' || word === '?') return { kind: 'help' };
  if (word === 'close') return { kind: 'close' };
  if (word === 'query') return split.words[0] ? { kind: 'query', to: split.words[0] } : { kind: 'invalid', message: t('input.queryUsage') };
  try {
    return { kind: 'command', line: parseCommandLine(input, { currentRoom, currentTarget }) };
  } catch (error) {
    if (!(error instanceof ParleyError)) throw error;
    return { kind: 'invalid', message: error.errorName === 'UNKNOWN_COMMAND' ? t('input.unknown', { word }) : error.message };
  }
}
