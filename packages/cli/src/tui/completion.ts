import { lineFormOf, nameKey } from '@parley/protocol';
import type { LineState } from './line-editor.ts';

/**
 * Tab completion of the word before the cursor: commands after a leading "/", rooms for "#…",
 * names otherwise. Repeated Tab cycles through the matches; any other key ends the cycle.
 */
export interface CompletionSources {
  commands: readonly string[];
  /** The rooms I am in. */
  rooms: readonly string[];
  names: readonly string[];
  /** Every room the server lists (rooms I am not in too), for the room of `/join`. */
  serverRooms?: readonly string[];
}

/** "/join " or "/join-channel #de": the text before the word is a command whose first word is a room to join. */
function joinHead(head: string): boolean {
  const match = /^\/{1,2}(\S+)\s+$/.exec(head);
  return match !== null && lineFormOf(match[1]!)?.verb === 'join';
}

/** The word before the cursor is the room of a `/join`: Tab should offer the server's rooms. */
export function completesJoinRoom({ text, cursor }: LineState): boolean {
  const beforeCursor = text.slice(0, cursor);
  const word = /\S*$/.exec(beforeCursor)![0];
  return joinHead(beforeCursor.slice(0, beforeCursor.length - word.length));
}

export interface Completion {
  /** Text before the completed word and after the cursor, fixed for the cycle. */
  head: string;
  tail: string;
  matches: string[];
  index: number;
}

export interface CompletionResult {
  text: string;
  cursor: number;
  completion: Completion | undefined;
}

function candidates(head: string, word: string, sources: CompletionSources): string[] {
  const unique = (list: readonly string[]) => [...new Map(list.map((item) => [nameKey(item), item])).values()];
  if (head === '' && word.startsWith('/')) return unique(sources.commands).map((c) => `/${c}`);
  if (joinHead(head)) return unique([...sources.rooms, ...(sources.serverRooms ?? [])]);
  if (word.startsWith('#')) return unique(sources.rooms);
  return unique(sources.names);
}

/** The text with the i-th match in place; a name at the start of a line gets ": " (addressing). */
function place(completion: Completion): CompletionResult {
  const match = completion.matches[completion.index]!;
  const suffix = completion.head === '' && !match.startsWith('/') && !match.startsWith('#') ? ': ' : ' ';
  const before = completion.head + match + (completion.tail.startsWith(' ') ? '' : suffix);
  return { text: before + completion.tail, cursor: before.length, completion };
}

export function complete({ text, cursor }: LineState, sources: CompletionSources, previous?: Completion): CompletionResult {
  if (previous && previous.matches.length > 0) {
    return place({ ...previous, index: (previous.index + 1) % previous.matches.length });
  }
  const beforeCursor = text.slice(0, cursor);
  const word = /\S*$/.exec(beforeCursor)![0];
  const head = beforeCursor.slice(0, beforeCursor.length - word.length);
  // "/join de" means "#de": a room to join is all the word can be.
  const prefix = nameKey(joinHead(head) && !word.startsWith('#') ? `#${word}` : word);
  const matches = candidates(head, word, sources)
    .filter((c) => nameKey(c).startsWith(prefix))
    .sort((a, b) => a.localeCompare(b));
  if (matches.length === 0) return { text, cursor, completion: undefined };
  return place({ head, tail: text.slice(cursor), matches, index: 0 });
}
