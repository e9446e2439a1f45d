import type { MdInline } from './markdown-ast.ts';
import { buildTree, delimiterRun, EmphasisMatcher, type DelimiterChar, type Token } from './inline-emphasis.ts';
import { scanInline, type InlineScan } from './inline-scan.ts';
import { bareUrlEnd, safeHref } from './safe-href.ts';

/** A paragraph's inline content: escapes, code spans, links, bare URLs, then emphasis. */
export function parseInline(text: string): MdInline[] {
  return inlineRange({ text, scan: scanInline(text), autolink: true }, 0, text.length);
}

interface Source {
  text: string;
  scan: InlineScan;
  /** Off inside a link's text: a link holds no other link. */
  autolink: boolean;
}

const WORD = /[\p{L}\p{N}]/u;

function inlineRange(source: Source, from: number, to: number): MdInline[] {
  const { text, scan } = source;
  const tokens: Token[] = [];
  const matcher = new EmphasisMatcher();
  let plainStart = from;
  const flush = (end: number) => {
    if (end > plainStart) tokens.push(text.slice(plainStart, end));
  };
  const stop = (i: number) => scan.code.has(i) || scan.links.has(i);
  let i = from;
  while (i < to) {
    const c = text[i]!;
    let next: number | undefined;
    if (c === '\\' && scan.escapes.has(i)) {
      flush(i);
      tokens.push(text[i + 1]!);
      next = i + 2;
    } else if (c === '`' && scan.code.has(i)) {
      const span = scan.code.get(i)!;
      flush(i);
      tokens.push({ type: 'code', text: span.text });
      next = span.end;
    } else if (c === '[' && scan.links.has(i)) {
      const link = scan.links.get(i)!;
      flush(i);
      const children = inlineRange({ ...source, autolink: false }, link.textStart, link.textEnd);
      const shown = children.length > 0 ? children : [{ type: 'text' as const, text: link.href }];
      tokens.push({ type: 'link', href: link.href, children: shown });
      next = link.end;
    } else if (c === '*' || c === '_' || c === '~') {
      let end = i + 1;
      while (end < to && text[end] === c) end++;
      // Strike is exactly two tildes: "~5 minutes" and "~~~" stay text.
      if (c !== '~' || end - i === 2) {
        flush(i);
        const run = delimiterRun(c as DelimiterChar, i, { length: end - i, before: charBefore(text, i, from), after: charAfter(text, end, to) });
        matcher.add(run);
        tokens.push(run);
      } else {
        // Skipped as a whole, as text: the run is not looked at again.
        i = end;
        continue;
      }
      next = end;
    } else if ((c === 'h' || c === 'H') && source.autolink && !WORD.test(charBefore(text, i, from))) {
      const end = bareUrlEnd(text, i, { end: to, stop });
      const href = end === undefined ? undefined : safeHref(text.slice(i, end));
      if (end !== undefined && href !== undefined) {
        flush(i);
        tokens.push({ type: 'link', href, children: [{ type: 'text', text: text.slice(i, end) }] });
        next = end;
      } else if (end !== undefined) {
        // Not a URL after all ("https://[x"): all of it is text, and is not scanned again from its next "h".
        i = end;
        continue;
      }
    }
    if (next === undefined) {
      i++;
    } else {
      i = next;
      plainStart = next;
    }
  }
  flush(to);
  return buildTree(tokens);
}

/** The code point before `i` ('' at the start of the range), surrogate pairs whole: an emoji is a symbol, not half of one. */
function charBefore(text: string, i: number, from: number): string {
  if (i <= from) return '';
  const low = text.charCodeAt(i - 1);
  const pair = i - 2 >= from && low >= 0xdc00 && low <= 0xdfff;
  return text.slice(pair ? i - 2 : i - 1, i);
}

function charAfter(text: string, i: number, to: number): string {
  if (i >= to) return '';
  const high = text.charCodeAt(i);
  return text.slice(i, high >= 0xd800 && high <= 0xdbff && i + 1 < to ? i + 2 : i + 1);
}
