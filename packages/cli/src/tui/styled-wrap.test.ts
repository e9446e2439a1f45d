import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Segment } from './message-rows.ts';
import { wrapSegments } from './styled-wrap.ts';
import { textWidth, wrap } from './text-width.ts';

const texts = (rows: Segment[][]) => rows.map((row) => row.map((s) => s.text).join(''));

describe('wrapSegments', () => {
  it('breaks where wrap breaks, whatever the segments, and keeps each piece its style', () => {
    const word = fc.constantFrom('a', 'bb', 'word', 'longerword', 'é', '漢字', '🙂', ' ', '  ');
    fc.assert(
      fc.property(fc.array(fc.array(word, { maxLength: 6 }).map((w) => w.join('')), { maxLength: 8 }), fc.integer({ min: 1, max: 12 }), (pieces, width) => {
        const segments = pieces.map((text, i): Segment => ({ text, ...(i % 2 ? { bold: true } : {}) }));
        const rows = wrapSegments(segments, width);
        expect(texts(rows)).toEqual(wrap(pieces.join(''), width));
        for (const row of rows) expect(textWidth(row.map((s) => s.text).join(''))).toBeLessThanOrEqual(Math.max(width, 2));
      }),
      { numRuns: 1000 },
    );
  });

  it('splits a styled word across rows with its style on both', () => {
    const rows = wrapSegments([{ text: 'say ' }, { text: 'supercalifragilistic', bold: true }, { text: ' ok' }], 12);
    expect(rows).toEqual([
      [{ text: 'say' }],
      [{ text: 'supercalifra', bold: true }],
      [{ text: 'gilistic', bold: true }, { text: ' ok' }],
    ]);
  });
});
