import { classifyInput, CLIENT_HELP, ParleyError, parseCommandLine, slashUsage, splitWords, type CommandLine } from '@parley/protocol';

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

/** The help list: this client's own commands, then the shared ones. */
export const SLASH_HELP: readonly string[] = [
  '/query <name>   open a direct conversation',
  '/close   close this direct conversation (a new message opens it again)',
  ...CLIENT_HELP.chat.map(slashUsage),
  '/help   this list',
  'Moderators and operators:',
  ...CLIENT_HELP.operator.map(slashUsage),
];

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
  if (word === 'query') return split.words[0] ? { kind: 'query', to: split.words[0] } : { kind: 'invalid', message: 'Usage: /query <name>' };
  try {
    return { kind: 'command', line: parseCommandLine(input, { currentRoom, currentTarget }) };
  } catch (error) {
    if (!(error instanceof ParleyError)) throw error;
    return { kind: 'invalid', message: error.errorName === 'UNKNOWN_COMMAND' ? `Unknown command /${word}. Type /help for the list.` : error.message };
  }
}
