import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenSeqs } from './seen-seqs.ts';

describe('SeenSeqs', () => {
  it('refuses a seq it has and extends runs in place', () => {
    const seen = new SeenSeqs();
    expect(seen.add('#r', 1)).toBe(true);
    expect(seen.add('#r', 2)).toBe(true);
    expect(seen.add('#r', 2)).toBe(false);
    expect(seen.add('#r', 1)).toBe(false);
    expect(seen.missingAbove('#r', 0)).toEqual([{ from: 3, to: undefined }]);
  });

  it('regression: a duplicate receipt and a later send leave the gap between them missing', () => {
    // Resend of an old cmid (seq 1), then a new message (seq 4): 2 and 3 are still missing.
    const seen = new SeenSeqs();
    seen.add('#r', 1);
    seen.add('#r', 4);
    expect(seen.missingAbove('#r', 1)).toEqual([
      { from: 2, to: 3 },
      { from: 5, to: undefined },
    ]);
  });

  it('regression: a message this connection sent is never missing', () => {
    const seen = new SeenSeqs();
    seen.add('#r', 6);
    expect(seen.missingAbove('#r', 4)).toEqual([
      { from: 5, to: 5 },
      { from: 7, to: undefined },
    ]);
  });

  it('a resume covers everything up to its cursor and merges what it reaches', () => {
    const seen = new SeenSeqs();
    seen.add('#r', 3);
    seen.add('#r', 9);
    seen.coverUpTo('#r', 4);
    expect(seen.has('#r', 1)).toBe(true);
    expect(seen.missingAbove('#r', 0)).toEqual([
      { from: 5, to: 8 },
      { from: 10, to: undefined },
    ]);
    seen.coverUpTo('#r', 8);
    expect(seen.missingAbove('#r', 0)).toEqual([{ from: 10, to: undefined }]);
  });

  it('fills a gap from below and from above, joining ranges', () => {
    const seen = new SeenSeqs();
    for (const seq of [1, 2, 5, 6]) seen.add('#r', seq);
    expect(seen.add('#r', 3)).toBe(true);
    expect(seen.add('#r', 4)).toBe(true);
    expect(seen.missingAbove('#r', 0)).toEqual([{ from: 7, to: undefined }]);
  });

  it('property: behaves as a set of seqs, and missingAbove lists exactly what is not in it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 40 }), fc.integer({ min: 0, max: 60 }), (seqs, cursor) => {
        const seen = new SeenSeqs();
        const model = new Set<number>();
        for (const seq of seqs) {
          expect(seen.add('c', seq)).toBe(!model.has(seq));
          model.add(seq);
        }
        const missing = seen.missingAbove('c', cursor);
        const listed = new Set<number>();
        for (const { from, to } of missing) for (let s = from; s <= (to ?? 70); s++) listed.add(s);
        for (let s = cursor + 1; s <= 70; s++) expect(listed.has(s)).toBe(!model.has(s));
      }),
    );
  });
});
