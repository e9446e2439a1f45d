import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate-limit.ts';

describe('TokenBucket', () => {
  it('allows a burst, then refuses with the wait until the next token', () => {
    const bucket = new TokenBucket(60, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBe(1000);
    expect(bucket.take(999)).toBe(1);
    expect(bucket.take(1000)).toBe(0);
  });

  it('never stores more than the burst', () => {
    const bucket = new TokenBucket(60, 2, 0);
    const later = 3_600_000;
    expect([bucket.take(later), bucket.take(later), bucket.take(later)]).toEqual([0, 0, 1000]);
  });
});
