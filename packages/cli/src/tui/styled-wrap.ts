import type { Row, Segment } from './message-rows.ts';
import { charWidth, textWidth } from './text-width.ts';

/**
 * `wrap` (text-width.ts) for styled text: the same rows, breaking at spaces where it can and
 * inside words longer than a row, with each piece keeping its segment's style, so a bold word
 * broken across rows is bold on both. The break points come from the plain text; the segments
 * are then cut at them.
 */
export function wrapSegments(line: readonly Segment[], width: number): Row[] {
  const text = line.map((segment) => segment.text).join('');
  // Rows come in order: one walk over the segments cuts them all.
  let index = 0;
  let offset = 0;
  return wrapRanges(text, width).map(([start, end]) => {
    const row: Row = [];
    while (index < line.length) {
      const segment = line[index]!;
      const segmentEnd = offset + segment.text.length;
      const from = Math.max(start, offset);
      const to = Math.min(end, segmentEnd);
      if (to > from) row.push({ ...segment, text: segment.text.slice(from - offset, to - offset) });
      if (segmentEnd > end) break;
      offset = segmentEnd;
      index++;
    }
    return row;
  });
}

/** The [start, end) of each row of `wrap(text, width)`, trailing spaces left out as it does. */
export function wrapRanges(text: string, width: number): [number, number][] {
  if (width <= 0) return [[0, text.length]];
  const rows: [number, number][] = [];
  const trimmed = (start: number, end: number): [number, number] => [start, start + text.slice(start, end).trimEnd().length];
  let rowStart = 0;
  let rowEnd = 0;
  let rowWidth = 0;
  let pos = 0;
  for (const word of text.split(/(?<= )/)) {
    const wordStart = pos;
    pos += word.length;
    const w = textWidth(word);
    if (rowWidth + w <= width) {
      rowEnd = pos;
      rowWidth += w;
      continue;
    }
    // The trailing space of a row may hang past the edge.
    if (word.endsWith(' ') && rowWidth + w - 1 <= width) {
      rows.push([rowStart, pos - 1]);
      rowStart = rowEnd = pos;
      rowWidth = 0;
      continue;
    }
    if (rowEnd > rowStart) rows.push(trimmed(rowStart, rowEnd));
    rowStart = rowEnd = wordStart;
    rowWidth = 0;
    for (const char of word) {
      const cw = charWidth(char);
      if (rowWidth + cw > width) {
        rows.push([rowStart, rowEnd]);
        rowStart = rowEnd;
        rowWidth = 0;
      }
      rowEnd += char.length;
      rowWidth += cw;
    }
  }
  if (rowEnd > rowStart || rows.length === 0) rows.push(trimmed(rowStart, rowEnd));
  return rows;
}
