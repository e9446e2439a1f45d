import { describe, expect, it } from 'vitest';
import { nextConnection, type Connection } from './connection-status.ts';

const idle: Connection = { state: 'idle', retryAt: undefined, resumedMissed: undefined };

describe('nextConnection', () => {
  it('keeps the retry time through the attempt that follows the wait, and drops it once connected', () => {
    const waiting = nextConnection(idle, { state: 'reconnecting', delayMs: 500 }, 1_000);
    expect(waiting.retryAt).toBe(1_500);
    const attempting = nextConnection(waiting, { state: 'reconnecting' }, 1_600);
    expect(attempting.retryAt).toBe(1_500);
    expect(nextConnection(attempting, { state: 'connected', resumed: true, missed: 3 }, 1_700)).toEqual({ state: 'connected', retryAt: undefined, resumedMissed: 3 });
  });

  it('drops the countdown when an attempt starts before its time (Retry now)', () => {
    const waiting = nextConnection(idle, { state: 'reconnecting', delayMs: 8_000 }, 1_000);
    expect(nextConnection(waiting, { state: 'reconnecting' }, 2_000).retryAt).toBeUndefined();
  });

  it('keeps the resumed count across later changes until the UI clears it', () => {
    const resumed = nextConnection(idle, { state: 'connected', resumed: true }, 0);
    expect(resumed.resumedMissed).toBe(0);
    expect(nextConnection(resumed, { state: 'reconnecting', delayMs: 250 }, 0).resumedMissed).toBe(0);
    expect(nextConnection(idle, { state: 'connected' }, 0).resumedMissed).toBeUndefined();
  });
});
