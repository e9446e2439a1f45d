import { safeHref } from './safe-href.ts';

/**
 * The first pass over a paragraph: backslash escapes, code spans and `[text](url)` links, the
 * constructs that take precedence over emphasis (CommonMark 0.31, sections 6.1 and 6.3). It is
 * one left-to-right walk; every lookup ahead is served from tables built in one pass each
 * (backtick runs by length, matching parentheses), so no input makes it quadratic.
 */
export interface CodeSpan {
  end: number;
  text: string;
}

export interface LinkSpan {
  textStart: number;
  textEnd: number;
  href: string;
  end: number;
}

export interface InlineScan {
  /** Positions of a backslash that makes the next character literal. */
  escapes: Set<number>;
  /** By the position of the opening backtick. */
  code: Map<number, CodeSpan>;
  /** By the position of `[`. */
  links: Map<number, LinkSpan>;
}

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const SPACE = /\s/u;

export function scanInline(text: string): InlineScan {
  const scan: InlineScan = { escapes: new Set(), code: new Map(), links: new Map() };
  const runs = new BacktickRuns(text);
  const parens = matchParens(text);
  const brackets: number[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && ASCII_PUNCTUATION.test(text[i + 1]!)) {
      scan.escapes.add(i);
      i += 2;
    } else if (c === '`') {
      let length = 1;
      while (text[i + length] === '`') length++;
      // A span ends at the next run of exactly as many backticks; without one, the run is text.
      const close = runs.next(length, i + length);
      if (close === undefined) {
        i += length;
        continue;
      }
      scan.code.set(i, { end: close + length, text: codeText(text.slice(i + length, close)) });
      i = close + length;
    } else if (c === '[') {
      brackets.push(i++);
    } else if (c === ']') {
      const open = brackets.pop();
      const close = text[i + 1] === '(' ? parens.get(i + 1) : undefined;
      const href = open !== undefined && close !== undefined ? safeHref(text.slice(i + 2, close)) : undefined;
      if (open === undefined || close === undefined || href === undefined) {
        i++;
        continue;
      }
      scan.links.set(open, { textStart: open + 1, textEnd: i, href, end: close + 1 });
      // Links do not nest: no earlier `[` may now close a link around this one (CommonMark 6.3).
      brackets.length = 0;
      i = close + 1;
    } else {
      i++;
    }
  }
  return scan;
}

/** CommonMark 6.1: line breaks read as spaces, and one space is stripped from each side when both have one. */
function codeText(raw: string): string {
  const flat = raw.replace(/\r\n|\r|\n/g, ' ');
  return flat.length >= 2 && flat.startsWith(' ') && flat.endsWith(' ') && flat.trim() !== '' ? flat.slice(1, -1) : flat;
}

/**
 * For each `(`, its matching `)` when both are in one stretch without whitespace: a link target
 * has no spaces, and balanced parentheses inside it (`…/Foo_(bar)`) stay part of it.
 */
function matchParens(text: string): Map<number, number> {
  const close = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '(') open.push(i);
    else if (c === ')') {
      const at = open.pop();
      if (at !== undefined) close.set(at, i);
    } else if (SPACE.test(c)) open.length = 0;
  }
  return close;
}

/** Every maximal run of backticks, by length; `next` is asked with growing positions only, so each list is read once. */
class BacktickRuns {
  private readonly byLength = new Map<number, { starts: number[]; read: number }>();

  constructor(text: string) {
    let i = text.indexOf('`');
    while (i !== -1) {
      let end = i + 1;
      while (text[end] === '`') end++;
      const entry = this.byLength.get(end - i) ?? { starts: [], read: 0 };
      entry.starts.push(i);
      this.byLength.set(end - i, entry);
      i = text.indexOf('`', end);
    }
  }

  next(length: number, from: number): number | undefined {
    const entry = this.byLength.get(length);
    if (!entry) return undefined;
    while (entry.read < entry.starts.length && entry.starts[entry.read]! < from) entry.read++;
    return entry.starts[entry.read];
  }
}
