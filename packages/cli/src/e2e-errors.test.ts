import { describe, expect, it } from 'vitest';
import { E2eErrorLog } from './e2e-errors.ts';

describe('E2eErrorLog', () => {
  it('says each bad message once, a few per conversation at a time, then counts', () => {
    const log = new E2eErrorLog({ burst: 2, windowMs: 1000 });
    const bad = (conv: string, seq: number, now: number) => log.take({ conv, seq, code: 'E2E_REPLAY' }, now);
    expect(bad('dm:a:b', 1, 0)).toEqual({ show: 'line' });
    expect(bad('dm:a:b', 1, 0)).toBeUndefined();
    expect(bad('dm:a:b', 2, 10)).toEqual({ show: 'line' });
    expect(bad('dm:a:b', 3, 20)).toEqual({ show: 'summary', count: 1 });
    expect(bad('dm:a:b', 4, 30)).toEqual({ show: 'summary', count: 2 });
    // Another conversation has its own budget; a later burst starts again.
    expect(bad('dm:a:c', 1, 40)).toEqual({ show: 'line' });
    expect(bad('dm:a:b', 5, 2000)).toEqual({ show: 'line' });
  });

  it('says a failure that is not one message once per conversation and kind', () => {
    const log = new E2eErrorLog();
    expect(log.take({ conv: 'dm:a:b', code: 'E2E_BAD_CREDENTIAL' }, 0)).toEqual({ show: 'line' });
    expect(log.take({ conv: 'dm:a:b', code: 'E2E_BAD_CREDENTIAL' }, 1)).toBeUndefined();
    expect(log.take({ conv: 'dm:a:b', code: 'E2E_INVALID_COMMIT' }, 2)).toEqual({ show: 'line' });
    expect(log.take({ code: 'E2E_FAILED' }, 3)).toEqual({ show: 'line' });
    expect(log.take({ code: 'E2E_FAILED' }, 4)).toBeUndefined();
  });
});
