/**
 * Terminal cell widths and safe display text. Message text comes from other people: control
 * characters (ESC in particular) must never reach the terminal, or a message could move the
 * cursor, recolor the screen or set the window title.
 */

const WIDE = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x3fffd],
] as const;

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200f\u2060\ufe00-\ufe0f]$/u;

/** Cells one code point takes: 0 (combining marks), 1, or 2 (East Asian wide, most emoji). */
export function charWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (ZERO_WIDTH.test(char)) return 0;
  for (const [from, to] of WIDE) if (code >= from && code <= to) return 2;
  return 1;
}

export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/** Replaces C0/C1 controls (and DEL) with visible symbols; tabs become a space. */
export function sanitize(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\t' ? ' ' : c === '\u001b' ? '␛' : '�'));
}

/** Cuts `text` to at most `width` cells (never splitting a wide character). */
export function truncate(text: string, width: number): string {
  let used = 0;
  let out = '';
  for (const char of text) {
    const w = charWidth(char);
    if (used + w > width) break;
    used += w;
    out += char;
  }
  return out;
}

/** `text` cut or padded with spaces to exactly `width` cells. */
export function fit(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + ' '.repeat(Math.max(0, width - textWidth(cut)));
}

/**
 * Splits one line of text into rows of at most `width` cells, breaking at spaces where it can
 * and inside words longer than a row.
 */
export function wrap(text: string, width: number): string[] {
  if (width <= 0) return [text];
  const rows: string[] = [];
  let row = '';
  let rowWidth = 0;
  for (const word of text.split(/(?<= )/)) {
    const w = textWidth(word);
    if (rowWidth + w <= width) {
      row += word;
      rowWidth += w;
      continue;
    }
    // The trailing space of a row may hang past the edge.
    if (word.endsWith(' ') && rowWidth + w - 1 <= width) {
      rows.push(row + word.slice(0, -1));
      row = '';
      rowWidth = 0;
      continue;
    }
    if (row !== '') rows.push(row.trimEnd());
    row = '';
    rowWidth = 0;
    for (const char of word) {
      const cw = charWidth(char);
      if (rowWidth + cw > width) {
        rows.push(row);
        row = '';
        rowWidth = 0;
      }
      row += char;
      rowWidth += cw;
    }
  }
  if (row !== '' || rows.length === 0) rows.push(row.trimEnd());
  return rows;
}
