import { commandHelp } from '../chat-commands.ts';
import { LOCAL_COMMANDS } from './tui-commands.ts';

export const KEY_HELP: [string, string][] = [
  ['Enter', 'send the line (or run the /command)'],
  ['Alt+1…9, Alt+0', 'go to conversation 1…9, 10'],
  ['Ctrl+N / Ctrl+P', 'next / previous conversation'],
  ['PageUp / PageDown', 'scroll; PageUp at the top loads older messages'],
  ['Up / Down', 'earlier / later input lines'],
  ['Tab', 'complete a name, #room or /command (again: next match)'],
  ['Ctrl+A/E, Ctrl+W/U', 'start/end of line, delete word/line start'],
  ['Ctrl+C', 'quit (like /quit)'],
];

export const OPERATOR_HEADING = 'Operator commands (need a server role, or a room role there):';

/** "/kick [#room] <name> [reason]   (…)" -> "/kick [#room] <name> [reason]". */
const syntax = (usage: string) => usage.split(/\s{2,}/)[0]!;

/** "/kick [#room] <name> [reason]   (…)" -> "/kick". */
const word = (usage: string) => usage.split(' ')[0]!;

/** The commands about sent messages (message-command-table.ts): one summary where space is short. */
const MESSAGE_WORDS = new Set(['/edit', '/delete', '/reply', '/react', '/unreact']);
const SHADOWED = new Set(['/edit', '/reply', '/react', '/unreact', '/search', '/unread']);
const MESSAGE_SUMMARY = '/edit /delete /reply /react /unreact [n] …';

/** The syntaxes to pack, the message commands as one item. */
const packedSyntax = (usages: string[]) => {
  const rest = usages.filter((usage) => !MESSAGE_WORDS.has(word(usage)));
  return rest.length === usages.length ? rest.map(syntax) : [...rest.map(syntax), MESSAGE_SUMMARY];
};

/** Words packed into lines of at most `width` columns, two spaces apart. */
function pack(items: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    if (line && line.length + 2 + item.length > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line}  ${item}` : item;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The help text for a box of `width` × `rows`: every command with its description when that
 * fits, else only the syntax, packed, so the operator commands stay visible on 80×24.
 */
export function helpLines(width: number, rows: number): string[] {
  const shared = commandHelp();
  // The shared grammar's /edit, /reply, … take <#room|name> <seq>; this client's own take the number alone.
  const plain = [...shared.chat.filter((usage) => !SHADOWED.has(word(usage))), ...Object.entries(LOCAL_COMMANDS).filter(([name]) => name !== 'help').map(([, c]) => c.usage)];
  const operator = shared.operator;
  const keys = KEY_HELP.map(([key, what]) => `${key.padEnd(20)} ${what}`);
  const full = [...keys, ...plain, OPERATOR_HEADING, ...operator];
  if (full.length <= rows) return full;
  const packed = [...keys, ...pack(packedSyntax(plain), width), OPERATOR_HEADING, ...pack(operator.map(syntax), width)];
  if (packed.length <= rows) return packed;
  // Smallest: the command words alone (a wrong call gets the usage back from the grammar).
  return [...keys, ...pack(plain.map(word), width), OPERATOR_HEADING, ...pack(operator.map(word), width)];
}
