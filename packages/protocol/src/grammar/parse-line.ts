import { ParleyError } from '../errors.ts';
import { DIALECT_ALIASES } from './dialects.ts';
import type { CommandLine, LineContext, LineForm } from './line-form.ts';
import { PARLEY_LINES } from './parley-lines.ts';
import { splitWords } from './words.ts';

/** The form a command word runs (upper-cased; dialect aliases resolved), or undefined. */
export function lineFormOf(word: string): LineForm | undefined {
  const upper = word.toUpperCase();
  if (Object.hasOwn(PARLEY_LINES, upper)) return PARLEY_LINES[upper];
  const alias = Object.hasOwn(DIALECT_ALIASES, upper) ? DIALECT_ALIASES[upper] : undefined;
  return alias ? PARLEY_LINES[alias.of] : undefined;
}

/**
 * Strips the command prefix: "/" (clients, xsukax), "//" (Asyncio-TCP) or none (text mode,
 * GoChat). Returns undefined when the line has no prefix.
 */
function withoutPrefix(line: string): string | undefined {
  if (line.startsWith('//')) return line.slice(2);
  if (line.startsWith('/')) return line.slice(1);
  return undefined;
}

/**
 * Parses one command line into the `{verb, args}` a structured frame would carry. The prefix
 * is optional ("JOIN #dev", "/join #dev" and "//join-channel dev" all work); the arguments are
 * only split here, and the protocol schema validates them afterwards. Throws a ParleyError
 * (UNKNOWN_COMMAND or BAD_ARGUMENTS), never anything else.
 */
export function parseCommandLine(line: string, context: LineContext = {}): CommandLine {
  const trimmed = line.trim();
  const body = withoutPrefix(trimmed);
  const split = splitWords(body ?? trimmed);
  const form = lineFormOf(split.word);
  if (!form) {
    const hint = split.word === '' ? 'Empty line.' : `Unknown command "${split.word.slice(0, 40)}".`;
    throw new ParleyError('UNKNOWN_COMMAND', `${hint} Type HELP for the commands; to talk in a room: SAY #room text`);
  }
  let parsed: CommandLine;
  try {
    parsed = form.parse(split, context);
  } catch (error) {
    // Someone who typed "/mute" reads the usage as "/mute ...", not "MUTE ...".
    if (body === undefined || !(error instanceof ParleyError)) throw error;
    throw new ParleyError(error.errorName, error.message.replace(/Usage: (\S+)/, (_all, word: string) => `Usage: /${word.toLowerCase()}`));
  }
  // DISABLE create-channel disables what create-channel runs.
  if ((parsed.verb === 'disable' || parsed.verb === 'enable') && typeof parsed.args.command === 'string') {
    const named = lineFormOf(parsed.args.command);
    parsed.args.command = named ? named.verb : parsed.args.command.toLowerCase();
  }
  return parsed;
}

/**
 * What a client's message box holds: a command, or text for the open conversation. A line is a
 * command when it starts with "/" and, for "//", when a command word follows ("//help" for
 * Asyncio-TCP users); otherwise "//" escapes a message that starts with "/" ("//shrug").
 */
export function classifyInput(input: string): { kind: 'command' } | { kind: 'text'; text: string } {
  if (!input.startsWith('/')) return { kind: 'text', text: input };
  if (input.startsWith('//') && !lineFormOf(splitWords(input.slice(2)).word)) return { kind: 'text', text: input.slice(1) };
  return { kind: 'command' };
}

/** A form's usage as a client shows it: "/kick [#room] <name> [reason]   (...)". */
export function slashUsage(word: string): string {
  const usage = lineFormOf(word)?.usage ?? word;
  const space = usage.indexOf(' ');
  return `/${(space < 0 ? usage : usage.slice(0, space)).toLowerCase()}${space < 0 ? '' : usage.slice(space)}`;
}
