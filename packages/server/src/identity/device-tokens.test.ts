import { describe, expect, it } from 'vitest';
import { hashDeviceToken, matchDeviceToken, newDeviceToken } from './device-tokens.ts';

describe('device tokens', () => {
  it('are 32 random bytes in base64url, hashed with SHA-256', () => {
    const { token, tokenHash } = newDeviceToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash).toBe(hashDeviceToken(token));
    expect(newDeviceToken().token).not.toBe(token);
  });

  it('match only their own record', () => {
    const a = newDeviceToken();
    const b = newDeviceToken();
    const records = [
      { id: 1, tokenHash: a.tokenHash },
      { id: 2, tokenHash: b.tokenHash },
      { id: 3, tokenHash: 'not hex at all' },
    ];
    expect(matchDeviceToken(records, b.token)?.id).toBe(2);
    expect(matchDeviceToken(records, a.token)?.id).toBe(1);
    expect(matchDeviceToken(records, a.tokenHash)).toBeUndefined();
    expect(matchDeviceToken(records, `${a.token}x`)).toBeUndefined();
    expect(matchDeviceToken([], a.token)).toBeUndefined();
  });
});
