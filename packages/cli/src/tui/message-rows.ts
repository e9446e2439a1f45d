import { splitServer } from '@parley/protocol';
import type { Line } from './conversations.ts';
import { markdownRows } from './markdown-rows.ts';
import { reactionText, replyQuote } from './message-changes.ts';
import { nameColor } from './name-color.ts';
import { sanitize, textWidth, wrap } from './text-width.ts';

/** A piece of a screen row with one style; `color` is an Ink color name. */
export interface Segment {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  /** Message formatting (markdown-rows.ts). */
  italic?: boolean;
  strike?: boolean;
  underline?: boolean;
}
export type Row = Segment[];

const pad2 = (n: number) => String(n).padStart(2, '0');
export const clock = (ts: number) => {
  const d = new Date(ts);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
};
const day = (ts: number) => new Date(ts).toDateString();

/**
 * A sender's name: someone of another server (`bob@b.example`) has the server part dimmed,
 * the way the web client draws it secondary; the whole name is still there to read and copy.
 */
export function nameSegments(from: string, style: Omit<Segment, 'text'>): Segment[] {
  const { local, server } = splitServer(from);
  if (server === undefined) return [{ text: sanitize(from), ...style }];
  return [{ text: sanitize(local), ...style }, { text: `@${sanitize(server)}`, dim: true }];
}

/** Before every DM line that was not end-to-end encrypted. */
export const UNENCRYPTED_MARKER = '[unencrypted]';

/** What drawing one line needs from the rest of its conversation. */
export interface LineContext {
  /** Each stored message ends with its number, "[12]" (paneRows says so); default: without. */
  numbers?: boolean;
  /** The message a reply answers, when it is loaded. */
  replyTo?: Line | undefined;
  /** My name: `@me` in others' messages is highlighted. */
  me?: string;
}

const MENTION: Omit<Segment, 'text'> = { color: 'yellow', bold: true };

/** `row` with every `@me` (not followed by more of a name) drawn as a mention. */
export function highlightMentions(row: Row, me: string): Row {
  if (!me) return row;
  const escaped = `@${me}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(${escaped})(?![\\p{L}\\p{N}_])`, 'iu');
  return row.flatMap((segment): Segment[] => {
    const parts = segment.text.split(pattern);
    if (parts.length === 1) return [segment];
    // split with a capture group: the odd pieces are the mentions.
    return parts.map((part, i) => (i % 2 === 1 ? { ...segment, ...MENTION, text: part } : { ...segment, text: part })).filter((piece) => piece.text !== '');
  });
}

/**
 * One line as screen rows of at most `width` cells: "HH:MM name: text [n]" (n, dim, is the
 * message's number to type in /edit, /reply, /react…), wrapped under the text column when the
 * name is short, else under the clock; line breaks in a message start new rows. A reply has the
 * first line of what it answers above it, reactions go under it.
 */
export function lineRows(line: Line, width: number, context: LineContext = {}): Row[] {
  const time: Segment = { text: `${clock(line.ts)} `, dim: true };
  let lead: Segment[];
  let body: (width: number) => Row[];
  if (line.kind === 'message') {
    const from = line.from ?? '?';
    const name = nameSegments(from, { color: nameColor(from), bold: true });
    // A DM that was not end-to-end encrypted says so before anything else.
    const marker: Segment[] = line.plaintext ? [{ text: `${UNENCRYPTED_MARKER} `, color: 'yellow' }] : [];
    // An action reads as a sentence about its sender: "* alice waves".
    lead = line.action ? [time, ...marker, { text: '* ' }, ...name, { text: ' ' }] : [time, ...marker, ...name, { text: ': ' }];
    const state = line.pending !== undefined || line.waiting !== undefined ? { dim: true } : line.failed ? { color: 'red' } : line.mention ? { bold: true } : {};
    // After the text: "(edited)", and the number (dim) to type in /edit, /reply, /react… (numbered: a stored message).
    const numbered = context.numbers === true && line.seq !== undefined && line.seq > 0;
    const tailText = `${line.edited !== undefined && !line.redacted ? ' (edited)' : ''}${numbered ? ` [${line.seq}]` : ''}`;
    const tail: Segment[] = tailText ? [{ text: tailText, dim: true }] : [];
    const me = context.me ?? '';
    body = line.redacted
      ? () => [[{ text: '(message deleted)', dim: true, italic: true }, ...tail]]
      : (w) => {
          const rows = markdownRows(line.text, w, state).map((row) => (line.from && me && !sameFrom(line.from, me) ? highlightMentions(row, me) : row));
          if (tail.length === 0) return rows;
          const last = rows[rows.length - 1]!;
          const used = last.reduce((sum, s) => sum + textWidth(s.text), 0);
          return used + textWidth(tail[0]!.text) <= w ? [...rows.slice(0, -1), [...last, ...tail]] : [...rows, [{ text: tailText.trim(), dim: true }]];
        };
  } else {
    lead = [time, { text: '* ', dim: line.kind === 'event' }];
    // The client's own lines are plain text: only what people write is formatted.
    const style = line.kind === 'error' ? { color: 'red', ...(line.alarm ? { bold: true } : {}) } : { dim: true };
    body = (w) => line.text.split(/\r\n|\r|\n/).flatMap((part) => wrap(sanitize(part), w).map((piece): Row => [{ text: piece, ...style }]));
  }
  const leadWidth = lead.reduce((sum, s) => sum + textWidth(s.text), 0);
  // A name too long for the pane width gets a row of its own.
  const ownRow = width - leadWidth < 10;
  const indent = ownRow ? textWidth(time.text) : leadWidth;
  const textWidthAvail = Math.max(1, width - indent);
  const rows: Row[] = [];
  if (line.kind === 'message' && line.reply !== undefined) {
    const quote = sanitize(replyQuote(context.replyTo, line.reply));
    rows.push([{ text: ' '.repeat(indent) }, { text: wrap(quote, textWidthAvail)[0] ?? '', dim: true }]);
  }
  if (ownRow) {
    rows.push(lead);
    lead = [{ text: ' '.repeat(indent) }];
  }
  body(textWidthAvail).forEach((piece, i) => {
    const head = i === 0 ? lead : [{ text: ' '.repeat(indent) }];
    rows.push([...head, ...piece]);
  });
  // The receipt said pending: the room's home has not taken it yet (it gets its place when it does).
  if (line.kind === 'message' && line.reactions?.length && !line.redacted) {
    for (const piece of wrap(sanitize(reactionText(line.reactions)), textWidthAvail)) rows.push([{ text: ' '.repeat(indent) }, { text: piece }]);
  }
  if (line.waiting !== undefined) rows.push([{ text: ' '.repeat(indent) }, { text: `waiting for ${sanitize(line.waiting)}…`, color: 'yellow' }]);
  return rows;
}

const sameFrom = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function rule(label: string, width: number, style: Omit<Segment, 'text'>): Row {
  const side = Math.max(0, Math.floor((width - textWidth(label)) / 2));
  return [{ text: `${'─'.repeat(side)}${label}${'─'.repeat(Math.max(0, width - side - textWidth(label)))}`, ...style }];
}

/** The rule at the read position when a conversation is opened. */
export const NEW_DIVIDER = ' new ';

export interface PaneOptions {
  me?: string;
  /** The read position: a "── new ──" rule goes before the first message of someone else after it. */
  divider?: number | undefined;
  /** Messages end with their numbers (while a command that takes one is being typed). */
  numbers?: boolean;
}

/** All rows of a conversation, with a date rule where the day changes and the "new" rule at the read position. */
export function paneRows(lines: readonly Line[], width: number, options: PaneOptions = {}): Row[] {
  const rows: Row[] = [];
  const bySeq = new Map<number, Line>();
  for (const line of lines) if (line.seq !== undefined && line.kind === 'message') bySeq.set(line.seq, line);
  const me = options.me ?? '';
  let dividerShown = options.divider === undefined;
  let previous: string | undefined;
  for (const line of lines) {
    const today = day(line.ts);
    if (previous !== undefined && today !== previous) rows.push(rule(` ${today} `, width, { dim: true }));
    previous = today;
    if (!dividerShown && line.kind === 'message' && line.seq !== undefined && line.seq > options.divider! && !(me && line.from && sameFrom(line.from, me))) {
      rows.push(rule(NEW_DIVIDER, width, { color: 'red' }));
      dividerShown = true;
    }
    rows.push(...lineRows(line, width, { numbers: options.numbers === true, replyTo: line.reply === undefined ? undefined : bySeq.get(line.reply), me }));
  }
  return rows;
}

/** The rows on screen: `height` rows ending `scroll` rows above the newest. */
export function visibleRows(rows: readonly Row[], height: number, scroll: number): { rows: Row[]; maxScroll: number; atTop: boolean } {
  const maxScroll = Math.max(0, rows.length - height);
  const clamped = Math.min(scroll, maxScroll);
  const end = rows.length - clamped;
  const start = Math.max(0, end - height);
  return { rows: rows.slice(start, end), maxScroll, atTop: start === 0 };
}
