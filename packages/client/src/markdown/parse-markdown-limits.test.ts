import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MdBlock, MdInline } from './markdown-ast.ts';
import { parseMarkdown } from './parse-markdown.ts';

/**
 * A message is at most 16 KB (the server's default maxTextBytes), and every client parses every
 * message it shows, from anyone. These inputs are the shapes that make backtracking regexes and
 * naive delimiter searches quadratic or worse; each must stay in linear time.
 */
const SIZE = 16 * 1024;
const fill = (unit: string) => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
/** A fixed pseudo-random mix (xorshift), so a slow case is reproducible. */
function mix(alphabet: string, seed: number): string {
  let x = seed;
  let out = '';
  for (let i = 0; i < SIZE; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out += alphabet[(x >>> 0) % alphabet.length];
  }
  return out;
}

const HOSTILE: Record<string, string> = {
  'only *': fill('*'),
  'only _': fill('_'),
  '*_ alternating': fill('*_'),
  '_* with words': fill('_*a '),
  '** openers': fill('**a '),
  'closers after openers': `${fill('*a ').slice(0, SIZE / 2)}${fill(' a*').slice(0, SIZE / 2)}`,
  'random * and _': mix('*_', 1),
  'random * _ ~ and letters': mix('*_~a ', 7),
  'brackets': fill('['),
  'link starts': fill('[a]('),
  'unsafe links': fill('[a](javascript:x)'),
  'parentheses': fill('(') + fill(')'),
  'backtick runs': Array.from({ length: 180 }, (_, i) => '`'.repeat(i + 1)).join(' ').slice(0, SIZE),
  'escapes': fill('\\*'),
  'broken URLs': fill('https://['),
  'URL characters': fill('https://a.example/('),
  'quotes': fill('> '),
  'quote lines': fill('> > x\n'),
  'unclosed fences': fill('```a\n'),
  'fences of growing length': Array.from({ length: 180 }, (_, i) => '`'.repeat(i + 3) + 'x').join('\n').slice(0, SIZE),
  'tildes': fill('~~a '),
};

/** The deepest nesting of elements in the tree. */
function depth(nodes: readonly (MdBlock | MdInline)[]): number {
  let deepest = 0;
  for (const node of nodes) if ('children' in node) deepest = Math.max(deepest, 1 + depth(node.children));
  return deepest;
}

/** The best of three runs: the machine is shared, and the best run is the parser's own cost. */
function fastest(text: string): number {
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    parseMarkdown(text);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe('parseMarkdown on hostile input', () => {
  // What 16 KB of ordinary formatted chat costs on this machine, now: the yardstick for the rest.
  const ordinary = fill('**bold** and _it_, `code` at https://example.com/x_y see [docs](https://e.x/a) ~~no~~\n');
  let yardstick = 0;
  it('ordinary 16 KB parse in milliseconds', () => {
    yardstick = fastest(ordinary);
    expect(yardstick).toBeLessThan(250);
  });

  for (const [name, text] of Object.entries(HOSTILE)) {
    it(`${name}: 16 KB in linear time, nesting bounded`, () => {
      const elapsed = fastest(text);
      // Measured at 0.2 to 2 times the yardstick here (3 ms at most, warm); a quadratic case at this size is hundreds of times it.
      expect(elapsed).toBeLessThan(Math.max(yardstick, 1) * 40);
      // Quotes nest five levels, emphasis sixteen: a renderer's recursion stays shallow.
      expect(depth(parseMarkdown(text))).toBeLessThanOrEqual(5 + 16 + 2);
    });
  }

  it('never throws, and links only http, https and mailto', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'*_~`[]()\\<>:/ ahtps.\n'.split(''), 'https://', 'javascript:', '> ', '```'), maxLength: 200 }), (text) => {
        const json = JSON.stringify(parseMarkdown(text));
        for (const [, href] of json.matchAll(/"href":"([^"]*)"/g)) expect(href).toMatch(/^(https?:\/\/[^/]|mailto:)/);
      }),
      { numRuns: 2000 },
    );
  });
});
