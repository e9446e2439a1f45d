import { describe, expect, it } from 'vitest';
import { searchMatches, searchTerms } from './search-words.ts';

describe('search words', () => {
  it('reads terms as letters and digits of any script, lower case, at most 8 of at most 64 characters', () => {
    expect(searchTerms('Hello, "world" OR x*')).toEqual(['hello', 'world', 'or', 'x']);
    expect(searchTerms('Привет 東京 42')).toEqual(['привет', '東京', '42']);
    expect(searchTerms('-- ** ""')).toEqual([]);
    expect(searchTerms('a b c d e f g h i j')).toHaveLength(8);
    expect(searchTerms('x'.repeat(100))[0]).toHaveLength(64);
  });

  it('matches every term as a word, the last also as a prefix, without case or diacritics', () => {
    const terms = (words: string) => searchTerms(words);
    expect(searchMatches(terms('deploy friday'), 'We deploy on Friday.')).toBe(true);
    expect(searchMatches(terms('deploy fri'), 'We deploy on Friday.')).toBe(true);
    expect(searchMatches(terms('depl friday'), 'We deploy on Friday.')).toBe(false);
    expect(searchMatches(terms('deploy monday'), 'We deploy on Friday.')).toBe(false);
    expect(searchMatches(terms('cafe'), 'Un café, s’il vous plaît')).toBe(true);
    expect(searchMatches(terms('CAFÉ'), 'cafe au lait')).toBe(true);
    expect(searchMatches([], 'anything')).toBe(false);
  });
});
