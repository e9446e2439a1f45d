import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markedText, MarkerScanner } from './markers.ts';

describe('MarkerScanner', () => {
  it('finds every marker exactly once however the stream is cut, among stray tildes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99_999_999 })), { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 20 }),
        (messages, cuts) => {
          // Frames with a 0x7e byte in the header, as a length or seq byte may be.
          const stream = Buffer.concat(messages.map(([s, i]) => Buffer.concat([Buffer.from([0x7e, 0x00, 0x7e]), Buffer.from(`{"text":"${markedText(s, i, 60)}"}\n`)])));
          const found: [number, number][] = [];
          const scanner = new MarkerScanner((s, i) => found.push([s, i]));
          let at = 0;
          for (let k = 0; at < stream.length; k++) {
            const size = cuts[k % cuts.length]!;
            scanner.push(stream.subarray(at, at + size));
            at += size;
          }
          expect(found).toEqual(messages);
        },
      ),
    );
  });
});
