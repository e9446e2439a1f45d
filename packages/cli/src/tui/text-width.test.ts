import { describe, expect, it } from 'vitest';
import { fit, sanitize, textWidth, truncate, wrap } from './text-width.ts';

describe('text width', () => {
  it('counts wide characters as two cells and combining marks as none', () => {
    expect(textWidth('abc')).toBe(3);
    expect(textWidth('日本')).toBe(4);
    expect(textWidth('e\u0301')).toBe(1);
    expect(textWidth('🎉')).toBe(2);
  });

  it('never lets a control character through', () => {
    expect(sanitize('a\u001b[2Jb\u0007c\td\u009b')).toBe('a␛[2Jb�c d�');
  });

  it('truncates and pads by cells, never splitting a wide character', () => {
    expect(truncate('日本語', 5)).toBe('日本');
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fit('日本語', 5)).toBe('日本 ');
  });

  it('wraps at spaces and breaks long words', () => {
    expect(wrap('the quick brown fox', 10)).toEqual(['the quick', 'brown fox']);
    expect(wrap('abcdefghijkl', 5)).toEqual(['abcde', 'fghij', 'kl']);
    expect(wrap('', 5)).toEqual(['']);
    expect(wrap('ab 日本語', 4)).toEqual(['ab', '日本', '語']);
    for (const row of wrap('lorem ipsum dolor sit amet, consectetur adipiscing elit', 7)) expect(textWidth(row)).toBeLessThanOrEqual(7);
  });
});
