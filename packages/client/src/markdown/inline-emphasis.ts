import type { MdEmphasis, MdInline } from './markdown-ast.ts';

/**
 * Emphasis by delimiter runs, after CommonMark 0.31 section 6.2 ("process emphasis"), with two
 * changes for chat: a run inside a word (`snake_case_names`, `2*3*4`) neither opens nor closes,
 * for `*` as for `_`; and the "multiple of 3" rule is left out, as it only matters for runs
 * inside words. That leaves, for each closer, one candidate opener: the newest open run of the
 * same character, the top of a per-character stack. Every run is pushed and popped at most once,
 * so a message of nothing but `*` and `_` is parsed in linear time.
 */
export type DelimiterChar = '*' | '_' | '~';

export interface DelimiterRun {
  char: DelimiterChar;
  pos: number;
  length: number;
  remaining: number;
  canOpen: boolean;
  canClose: boolean;
  /**
   * Sizes of the matches (2: strong or strike, 1: em), in match order: an opener's later
   * matches enclose its earlier ones. Absent until the first; most runs never match.
   */
  opens?: number[];
  closes?: number[];
}

const SPACE = /\s/u;
const PUNCTUATION = /[\p{P}\p{S}]/u;
/** ASCII by table: these run a few times per delimiter, and a message may be all delimiters. */
const ASCII_CLASS = Uint8Array.from({ length: 128 }, (_, code) => {
  const c = String.fromCharCode(code);
  return SPACE.test(c) ? 1 : PUNCTUATION.test(c) ? 2 : 0;
});
const classOf = (c: string): number => {
  if (c === '') return 1;
  const code = c.charCodeAt(0);
  return code < 128 ? ASCII_CLASS[code]! : SPACE.test(c) ? 1 : PUNCTUATION.test(c) ? 2 : 0;
};

/** A run between `before` and `after` (one code point each, '' at the edge of the text). */
export function delimiterRun(char: DelimiterChar, pos: number, around: { length: number; before: string; after: string }): DelimiterRun {
  const before = classOf(around.before);
  const after = classOf(around.after);
  // CommonMark 6.2's flanking rules: 1 is whitespace (or the edge), 2 punctuation, 0 anything else.
  const left = after !== 1 && (after !== 2 || before !== 0);
  const right = before !== 1 && (before !== 2 || after !== 0);
  const { length } = around;
  return { char, pos, length, remaining: length, canOpen: left && (!right || before === 2), canClose: right && (!left || after === 2) };
}

const typeOf = (char: DelimiterChar, size: number): MdEmphasis => (char === '~' ? 'strike' : size === 2 ? 'strong' : 'em');

const CHARS: readonly DelimiterChar[] = ['*', '_', '~'];

/** Matches runs as they come, left to right: a run closes what it can, then may open. */
export class EmphasisMatcher {
  private readonly open: Record<DelimiterChar, DelimiterRun[]> = { '*': [], _: [], '~': [] };

  add(run: DelimiterRun): void {
    if (run.canClose) this.close(run);
    if (run.canOpen && run.remaining > 0) this.open[run.char].push(run);
  }

  private close(closer: DelimiterRun): void {
    const own = this.open[closer.char];
    while (closer.remaining > 0) {
      const opener = own.at(-1);
      if (!opener) return;
      // Runs of other characters between the two can no longer match: `*a _b* c_` has one em.
      for (const char of CHARS) {
        const stack = this.open[char];
        if (char !== closer.char) while ((stack.at(-1)?.pos ?? -1) > opener.pos) stack.pop();
      }
      const size = closer.char === '~' || (opener.remaining >= 2 && closer.remaining >= 2) ? 2 : 1;
      (opener.opens ??= []).push(size);
      (closer.closes ??= []).push(size);
      opener.remaining -= size;
      closer.remaining -= size;
      if (opener.remaining === 0) own.pop();
    }
  }
}

/** Plain text, a finished node (code, link), or a delimiter run waiting for the tree. */
export type Token = string | MdInline | DelimiterRun;

/** Deeper emphasis than this stays as its delimiters: no renderer recurses thousands of levels for `*_*_*_…`. */
export const MAX_EMPHASIS_DEPTH = 16;

/**
 * The tree from tokens whose runs were matched. Matches nest properly (the matcher drops every
 * run between an opener and its closer), so a stack of open elements is enough. In a run the
 * closes take its first characters, the opens its last, what is left stays between as text.
 */
export function buildTree(tokens: readonly Token[]): MdInline[] {
  const root: MdInline[] = [];
  const frames: { type: MdEmphasis; children: MdInline[] }[] = [];
  /** One entry per open match: false when it was too deep and was written out as text. */
  const real: boolean[] = [];
  const children = () => frames.at(-1)?.children ?? root;
  const text = (value: string) => {
    if (value === '') return;
    const list = children();
    const last = list.at(-1);
    if (last?.type === 'text') list[list.length - 1] = { type: 'text', text: last.text + value };
    else list.push({ type: 'text', text: value });
  };
  for (const token of tokens) {
    if (typeof token === 'string') text(token);
    else if ('type' in token) children().push(token);
    else {
      for (const size of token.closes ?? []) {
        if (real.pop() !== true) {
          text(token.char.repeat(size));
          continue;
        }
        const frame = frames.pop()!;
        children().push({ type: frame.type, children: frame.children });
      }
      text(token.char.repeat(token.remaining));
      const opens = token.opens ?? [];
      for (let k = opens.length - 1; k >= 0; k--) {
        const size = opens[k]!;
        const deep = frames.length >= MAX_EMPHASIS_DEPTH;
        real.push(!deep);
        if (deep) text(token.char.repeat(size));
        else frames.push({ type: typeOf(token.char, size), children: [] });
      }
    }
  }
  return root;
}
