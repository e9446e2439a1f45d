import { parseMarkdown, safeHref, type MdBlock, type MdInline } from '@parley/client';
import type { Row, Segment } from './message-rows.ts';
import { wrapSegments } from './styled-wrap.ts';
import { sanitize, textWidth } from './text-width.ts';

/**
 * A message's text in the terminal, with its Markdown subset (docs/tui.md, "Formatting") drawn
 * with terminal attributes: bold, italic, strikethrough, code in cyan, quotes behind a bar,
 * links underlined with their target after them. Every piece is sanitized like any text from
 * others, so formatting never lets a control character through.
 */
type Style = Omit<Segment, 'text'>;

const CODE: Style = { color: 'cyan' };
const QUOTE_BAR: Segment = { text: '│ ', dim: true };

/**
 * Rows of at most `width` cells, at least one. `state` (dimmed while sending, red when refused,
 * bold when it names me) goes over the formatting: a refused message is red, code included.
 */
export function markdownRows(text: string, width: number, state: Style): Row[] {
  const rows = blockRows(parsed(text), width, state);
  return rows.length > 0 ? rows : [[]];
}

function blockRows(blocks: readonly MdBlock[], width: number, state: Style): Row[] {
  return blocks.flatMap((block): Row[] => {
    switch (block.type) {
      case 'paragraph':
        return lines(block.children.flatMap((node) => inlineSegments(node, {})), width, state);
      case 'codeBlock':
        return lines([{ text: block.text, ...CODE }], width, state);
      case 'quote': {
        const inner = blockRows(block.children, Math.max(1, width - textWidth(QUOTE_BAR.text)), state);
        return (inner.length > 0 ? inner : [[]]).map((row) => [QUOTE_BAR, ...row]);
      }
    }
  });
}

/** Segments split at line breaks, each line sanitized and wrapped on its own. */
function lines(segments: readonly Segment[], width: number, state: Style): Row[] {
  const rows: Row[] = [];
  let line: Segment[] = [];
  const end = () => {
    rows.push(...wrapSegments(line, width));
    line = [];
  };
  for (const segment of segments) {
    segment.text.split(/\r\n|\r|\n/).forEach((piece, i) => {
      if (i > 0) end();
      if (piece !== '') line.push({ ...segment, ...state, text: sanitize(piece) });
    });
  }
  end();
  return rows;
}

function inlineSegments(node: MdInline, style: Style): Segment[] {
  const inner = (added: Style) => (children: readonly MdInline[]) => children.flatMap((child) => inlineSegments(child, { ...style, ...added }));
  switch (node.type) {
    case 'text':
      return [{ text: node.text, ...style }];
    case 'strong':
      return inner({ bold: true })(node.children);
    case 'em':
      return inner({ italic: true })(node.children);
    case 'strike':
      return inner({ strike: true })(node.children);
    case 'code':
      return [{ text: node.text, ...style, ...CODE }];
    case 'link': {
      const label = inner({ underline: true })(node.children);
      // A bare URL is its own label; "[docs](https://…)" reads "docs (https://…)", where the
      // target is the normalised one: a look-alike host shows as the punycode it is.
      const shown = label.map((segment) => segment.text).join('');
      return safeHref(shown) === node.href ? label : [...label, { text: ` (${node.href})`, ...style, dim: true }];
    }
  }
}

/** Parses kept by text: the pane's rows are rebuilt for every new line, from every line of the conversation. */
const cache = new Map<string, MdBlock[]>();
const CACHE_SIZE = 2_000;

function parsed(text: string): MdBlock[] {
  const known = cache.get(text);
  if (known) return known;
  const blocks = parseMarkdown(text);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(text, blocks);
  return blocks;
}
