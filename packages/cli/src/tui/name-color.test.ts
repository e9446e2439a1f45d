import { describe, expect, it } from 'vitest';
import { NAME_COLORS, nameColor } from './name-color.ts';

describe('nameColor', () => {
  it('is stable and ignores case', () => {
    expect(nameColor('alice')).toBe(nameColor('alice'));
    expect(nameColor('ALICE')).toBe(nameColor('alice'));
  });

  it('spreads names over the palette', () => {
    const used = new Set(Array.from({ length: 200 }, (_, i) => nameColor(`user${i}`)));
    expect(used.size).toBe(NAME_COLORS.length);
  });
});
