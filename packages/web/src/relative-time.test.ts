import { describe, expect, it } from 'vitest';
import { formatAgo } from './relative-time.ts';

describe('formatAgo', () => {
  const now = Date.UTC(2026, 11, 3, 12);
  it('says how long ago, in the largest unit that fits', () => {
    expect(formatAgo(now - 5_000, now)).toBe('just now');
    expect(formatAgo(now + 5_000, now)).toBe('just now');
    expect(formatAgo(now - 5 * 60_000, now)).toMatch(/5 minutes ago/);
    expect(formatAgo(now - 3 * 3_600_000, now)).toMatch(/3 hours ago/);
    expect(formatAgo(now - 86_400_000, now)).toMatch(/yesterday|1 day ago/);
    expect(formatAgo(now - 15 * 86_400_000, now)).toMatch(/2 weeks ago/);
    expect(formatAgo(now - 400 * 86_400_000, now)).toMatch(/2025/);
  });
});
