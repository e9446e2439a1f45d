import type { MdBlock } from './markdown-ast.ts';
import { parseInline } from './markdown-inline.ts';

/**
 * A message's text as blocks: fenced code (```, an optional language), `> ` quotes and
 * paragraphs, each paragraph's lines kept with their line breaks. Deliberately less than
 * CommonMark: no headings, lists, tables, images or HTML, so "1. first" and "# not a title"
 * read as typed; a fence without its closing fence is text, not code to the end.
 */
export function parseMarkdown(text: string): MdBlock[] {
  return parseBlocks(text.split(/\r\n|\r|\n/), 0);
}

const FENCE_OPEN = /^ {0,3}(`{3,})([^`]*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,})[ \t]*$/;
/** `>` then a space, or alone: ">_<" and ">.<" are faces, not quotes. */
const QUOTE = /^ {0,3}>(?: |$)/;
const LANG = /^[\w+#.-]{1,32}$/;
/** Deeper `> > > …` stays text: no renderer recurses for a line of 8,000 ">". */
const MAX_QUOTE_DEPTH = 5;

function parseBlocks(lines: readonly string[], depth: number): MdBlock[] {
  const blocks: MdBlock[] = [];
  const fences = new FenceClosers(lines);
  let paragraph: string[] = [];
  const flush = () => {
    // Blank lines at a paragraph's edges only separate it from the block beside it.
    let start = 0;
    let end = paragraph.length;
    while (start < end && paragraph[start]!.trim() === '') start++;
    while (end > start && paragraph[end - 1]!.trim() === '') end--;
    if (end > start) blocks.push({ type: 'paragraph', children: parseInline(paragraph.slice(start, end).join('\n')) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE_OPEN.exec(line);
    const close = fence ? fences.after(i, fence[1]!.length) : undefined;
    if (fence && close !== undefined) {
      flush();
      const lang = fence[2]!.trim().split(/\s/)[0]!;
      blocks.push({ type: 'codeBlock', text: lines.slice(i + 1, close).join('\n'), ...(LANG.test(lang) ? { lang } : {}) });
      i = close;
    } else if (depth < MAX_QUOTE_DEPTH && QUOTE.test(line)) {
      flush();
      const quoted: string[] = [];
      for (; i < lines.length && QUOTE.test(lines[i]!); i++) quoted.push(lines[i]!.replace(QUOTE, ''));
      i--;
      blocks.push({ type: 'quote', children: parseBlocks(quoted, depth + 1) });
    } else {
      paragraph.push(line);
    }
  }
  flush();
  return blocks;
}

/**
 * The lines that can close a fence, found once. `after` is asked with growing line numbers; a
 * fence length that found no closer once finds none later either, so a message of a thousand
 * unclosed fences is not searched a thousand times.
 */
class FenceClosers {
  private readonly closers: { line: number; length: number }[] = [];
  private read = 0;
  private shortestUnclosed = Infinity;

  constructor(lines: readonly string[]) {
    lines.forEach((line, index) => {
      const match = FENCE_CLOSE.exec(line);
      if (match) this.closers.push({ line: index, length: match[1]!.length });
    });
  }

  after(line: number, length: number): number | undefined {
    if (length >= this.shortestUnclosed) return undefined;
    while (this.read < this.closers.length && this.closers[this.read]!.line <= line) this.read++;
    for (let k = this.read; k < this.closers.length; k++) if (this.closers[k]!.length >= length) return this.closers[k]!.line;
    this.shortestUnclosed = length;
    return undefined;
  }
}
