import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParleyError } from '../errors.ts';
import { DurationSchema } from '../commands.ts';
import { formatDuration, MAX_DURATION_SECONDS, parseDuration } from './durations.ts';

describe('durations', () => {
  it('reads units and plain seconds; 0 and absent are permanent', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('2H')).toBe(7_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('1w')).toBe(604_800_000);
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration(90)).toBe(90_000);
    expect(parseDuration('0')).toBeNull();
    expect(parseDuration(0)).toBeNull();
    expect(parseDuration(undefined)).toBeNull();
  });

  it('regression: huge durations are refused with BAD_ARGUMENTS, at parse and in the schema', () => {
    for (const raw of ['999999999w', 9007199254740991, MAX_DURATION_SECONDS + 1, '3651d']) {
      expect(() => parseDuration(raw)).toThrow(ParleyError);
      expect(DurationSchema.safeParse(raw).success).toBe(false);
    }
    expect(parseDuration(MAX_DURATION_SECONDS)).toBe(MAX_DURATION_SECONDS * 1000);
    // Whatever is accepted stays inside the Date range from now on.
    expect(() => new Date(Date.now() + parseDuration(MAX_DURATION_SECONDS)!).toISOString()).not.toThrow();
  });

  it('refuses what is not a duration', () => {
    for (const raw of ['', 'soon', '1y', '-5', '1.5h', ' 5 m', -1, 1.5]) expect(DurationSchema.safeParse(raw).success).toBe(false);
  });

  it('property: formatDuration parses back to the same milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DURATION_SECONDS }), (seconds) => {
        expect(parseDuration(formatDuration(seconds * 1000))).toBe(seconds * 1000);
      }),
    );
  });

  it('property: any string or number parses or fails with a coded error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 14 }), fc.integer(), fc.double()), (raw) => {
        try {
          parseDuration(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(ParleyError);
        }
      }),
    );
  });
});
