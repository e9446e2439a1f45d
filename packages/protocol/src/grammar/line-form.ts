import { ParleyError } from '../errors.ts';
import type { Verb } from '../commands.ts';
import type { CommandWords } from './words.ts';

/** What a typed line becomes: the same `{verb, args}` a structured frame carries. */
export interface CommandLine {
  verb: Verb;
  args: Record<string, unknown>;
}

/**
 * What a line may lean on besides its words. `currentRoom` is the room the person is looking
 * at in a client, or, for a text connection, the room it last joined or spoke in; commands that
 * only make sense in a room (PART, TOPIC, WHO, MUTE, MODE, ...) use it when no `#room` is named.
 */
export interface LineContext {
  readonly currentRoom?: string | undefined;
  /** The conversation in view: a #room, a person's name, or ALL (a text connection: its current room). */
  readonly currentTarget?: string | undefined;
}

/** One command word's grammar: its usage line, the verb it runs, how its words map to arguments. */
export interface LineForm {
  readonly usage: string;
  readonly verb: Verb;
  parse(words: CommandWords, context: LineContext): CommandLine;
}

export function usageError(usage: string, why?: string): ParleyError {
  return new ParleyError('BAD_ARGUMENTS', `${why ? `${why}. ` : ''}Usage: ${usage}`);
}

/** A required word, or a BAD_ARGUMENTS that shows the usage. */
export function need(value: string | undefined, usage: string): string {
  if (value === undefined || value === '') throw usageError(usage);
  return value;
}

/** `{key: value}`, or nothing for an absent or empty value (so the schema's default applies). */
export function optional<TValue>(key: string, value: TValue | undefined): Record<string, TValue> {
  return value === undefined || value === '' ? {} : { [key]: value };
}

const isRoomWord = (word: string | undefined): word is string => word !== undefined && word.startsWith('#');

/** A leading "#room" word, or nothing; `at` is where the remaining arguments start. */
export function explicitRoom(words: readonly string[]): { room: Record<string, string>; at: number } {
  return isRoomWord(words[0]) ? { room: { room: words[0] }, at: 1 } : { room: {}, at: 0 };
}

/** A leading "#room" word, else the current room; refused when there is neither. */
export function roomOrCurrent(words: readonly string[], context: LineContext, usage: string): { room: string; at: number } {
  if (isRoomWord(words[0])) return { room: words[0], at: 1 };
  if (context.currentRoom) return { room: context.currentRoom, at: 0 };
  throw usageError(usage, 'No current room: name one');
}

/** A whole number word as a number (so the schema can check its range); other words as they are. */
export function intOrRaw(word: string | undefined): number | string | undefined {
  if (word === undefined) return undefined;
  return /^\d{1,15}$/.test(word) ? Number(word) : word;
}
