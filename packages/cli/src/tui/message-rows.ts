import { splitServer } from '@parley/protocol';
import type { Line } from './conversations.ts';
import { markdownRows } from './markdown-rows.ts';
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

/**
 * One line as screen rows of at most `width` cells: "HH:MM name: text", wrapped under the text
 * column when the name is short, else under the clock; line breaks in a message start new rows.
 */
export function lineRows(line: Line, width: number): Row[] {
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
    body = (w) => markdownRows(line.text, w, state);
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
  if (ownRow) {
    rows.push(lead);
    lead = [{ text: ' '.repeat(indent) }];
  }
  body(textWidthAvail).forEach((piece, i) => {
    const head = i === 0 ? lead : [{ text: ' '.repeat(indent) }];
    rows.push([...head, ...piece]);
  });
  // The receipt said pending: the room's home has not taken it yet (it gets its place when it does).
  if (line.waiting !== undefined) rows.push([{ text: ' '.repeat(indent) }, { text: `waiting for ${sanitize(line.waiting)}…`, color: 'yellow' }]);
  return rows;
}

/** All rows of a conversation, with a date rule where the day changes. */
export function paneRows(lines: readonly Line[], width: number): Row[] {
  const rows: Row[] = [];
  let previous: string | undefined;
  for (const line of lines) {
    const today = day(line.ts);
    if (previous !== undefined && today !== previous) {
      const label = ` ${today} `;
      const side = Math.max(0, Math.floor((width - textWidth(label)) / 2));
      rows.push([{ text: `${'─'.repeat(side)}${label}${'─'.repeat(Math.max(0, width - side - textWidth(label)))}`, dim: true }]);
    }
    previous = today;
    rows.push(...lineRows(line, width));
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
