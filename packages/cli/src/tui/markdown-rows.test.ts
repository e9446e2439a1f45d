import { describe, expect, it } from 'vitest';
import { markdownRows } from './markdown-rows.ts';
import { lineRows, type Row } from './message-rows.ts';
import { textWidth } from './text-width.ts';

const text = (row: Row) => row.map((s) => s.text).join('');
const find = (rows: Row[], piece: string) => rows.flat().find((s) => s.text === piece);

describe('markdown rows (terminal formatting)', () => {
  it('draws bold, italic, strike and code with terminal attributes, the markers gone', () => {
    const rows = markdownRows('**bold** *it* ~~gone~~ `a *b*`', 80, {});
    expect(rows.map(text)).toEqual(['bold it gone a *b*']);
    expect(find(rows, 'bold')).toEqual({ text: 'bold', bold: true });
    expect(find(rows, 'it')).toEqual({ text: 'it', italic: true });
    expect(find(rows, 'gone')).toEqual({ text: 'gone', strike: true });
    expect(find(rows, 'a *b*')).toEqual({ text: 'a *b*', color: 'cyan' });
  });

  it('keeps attributes across a wrap and nests them', () => {
    const rows = markdownRows('**a _very long_ bold run** after', 10, {});
    expect(rows.map(text)).toEqual(['a very', 'long bold', 'run after']);
    expect(rows[1]).toEqual([
      { text: 'long', bold: true, italic: true },
      { text: ' bold', bold: true },
    ]);
    expect(rows[2]).toEqual([{ text: 'run', bold: true }, { text: ' after' }]);
  });

  it('shows a link as its text and its target; a bare URL once', () => {
    const rows = markdownRows('see [docs](https://example.com/d) or https://e.x', 80, {});
    expect(rows.map(text)).toEqual(['see docs (https://example.com/d) or https://e.x']);
    expect(find(rows, 'docs')).toEqual({ text: 'docs', underline: true });
    expect(find(rows, ' (https://example.com/d)')).toEqual({ text: ' (https://example.com/d)', dim: true });
    expect(find(rows, 'https://e.x')).toEqual({ text: 'https://e.x', underline: true });
    // The target shown is where it goes: a look-alike host reads as punycode.
    expect(markdownRows('[bank](https://pаypal.com)', 80, {}).map(text)).toEqual(['bank (https://xn--pypal-4ve.com/)']);
  });

  it('draws code blocks line by line and quotes behind a bar, wrapped inside it', () => {
    const rows = markdownRows('```\nif (a) {\n  go();\n}\n```\n> a quote that wraps\n> > inner', 12, {});
    expect(rows.map(text)).toEqual(['if (a) {', '  go();', '}', '│ a quote', '│ that wraps', '│ │ inner']);
    expect(rows[1]).toEqual([{ text: '  go();', color: 'cyan' }]);
    for (const row of rows) expect(textWidth(text(row))).toBeLessThanOrEqual(12);
  });

  it('lets the message state win: a refused message is red, code too; a mention is bold throughout', () => {
    const failed = markdownRows('`x` y', 80, { color: 'red' });
    expect(failed[0]).toEqual([{ text: 'x', color: 'red' }, { text: ' y', color: 'red' }]);
    expect(markdownRows('_me_', 80, { bold: true })[0]).toEqual([{ text: 'me', italic: true, bold: true }]);
  });

  it('never lets a control character through, inside formatting or code', () => {
    const rows = markdownRows('**\u001b[2J** `\u001b]0;x\u0007`\n```\n\u001b[31m\n```', 80, {});
    expect(rows.map(text)).toEqual(['␛[2J ␛]0;x�', '␛[31m']);
  });

  it('goes into the message line: time, name, then the formatted text under the text column', () => {
    const rows = lineRows({ kind: 'message', ts: new Date(2026, 10, 30, 9, 5).getTime(), from: 'alice', text: 'a **bold claim** here', seq: 1 }, 24);
    expect(rows.map(text)).toEqual(['09:05 alice: a bold', '             claim here']);
    expect(rows[0]!.at(-1)).toEqual({ text: 'bold', bold: true });
    expect(rows[1]![1]).toEqual({ text: 'claim', bold: true });
    // The client's own lines stay plain: an error quoting "**" shows it.
    expect(text(lineRows({ kind: 'error', ts: 0, text: 'no **such** room' }, 40)[0]!)).toMatch(/no \*\*such\*\* room$/);
  });
});
