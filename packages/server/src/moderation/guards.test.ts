import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.ts';
import { networkOf } from './connection-guard.ts';
import { LoginGuard } from './login-guard.ts';

describe('networkOf', () => {
  it('groups IPv4 and IPv6 addresses by prefix', () => {
    expect(networkOf('203.0.113.77', 24, 64)).toBe('203.0.113.0/24');
    expect(networkOf('::ffff:203.0.113.77', 16, 64)).toBe('203.0.0.0/16');
    expect(networkOf('10.1.2.3', 32, 64)).toBe('10.1.2.3/32');
    const a = networkOf('2001:db8:1:2:aaaa::1', 24, 64);
    expect(a).toBe(networkOf('2001:db8:1:2::ffff', 24, 64));
    expect(a).not.toBe(networkOf('2001:db8:1:3::1', 24, 64));
    expect(networkOf('::1', 24, 128)).toMatch(/\/128$/);
  });
});

describe('LoginGuard', () => {
  const limits = { ...ConfigSchema.parse({}).limits, login_failures_before_lockout: 3, login_lockout_ms: 1000, login_lockout_max_ms: 4000 };
  it('locks after the free failures, doubles up to the maximum, and a success clears the key', () => {
    const guard = new LoginGuard(() => limits);
    expect([guard.fail(['k'], 0), guard.fail(['k'], 0)]).toEqual([0, 0]);
    expect(guard.fail(['k'], 0)).toBe(1000);
    expect(guard.lockedFor(['k', 'other'], 500)).toBe(500);
    expect(guard.fail(['k'], 1000)).toBe(2000);
    expect(guard.fail(['k'], 3000)).toBe(4000);
    expect(guard.fail(['k'], 7000)).toBe(4000);
    guard.succeed('k');
    expect(guard.lockedFor(['k'], 7001)).toBe(0);
  });

  it('forgets failures older than the longest lockout', () => {
    const guard = new LoginGuard(() => limits);
    guard.fail(['k'], 0);
    guard.fail(['k'], 0);
    expect(guard.fail(['k'], 10_000)).toBe(0);
  });

  it('admits at most the free failures in flight at once; a success or a release frees a slot', () => {
    const guard = new LoginGuard(() => limits);
    const admitted = [guard.begin(['acct', 'ip1'], 0), guard.begin(['acct', 'ip2'], 0), guard.begin(['acct', 'ip3'], 0)];
    expect(admitted.every((a) => typeof a !== 'number')).toBe(true);
    // A fourth would be past the 3 free failures if the three in flight all fail.
    expect(guard.begin(['acct', 'ip4'], 0)).toBe(1000);
    const [first, second, third] = admitted as Exclude<(typeof admitted)[number], number>[];
    first!.release();
    first!.fail(0); // settled already: counts nothing
    const fourth = guard.begin(['acct', 'ip4'], 0);
    expect(typeof fourth).not.toBe('number');
    expect([second!.fail(0), third!.fail(0)]).toEqual([0, 0]);
    if (typeof fourth === 'number') throw new Error('unreachable');
    expect(fourth.fail(0)).toBe(1000);
    expect(guard.lockedFor(['acct'], 1)).toBe(999);
    expect(guard.begin(['acct'], 1)).toBe(999);
    // After the lockout one attempt at a time, not a new batch.
    const after = guard.begin(['acct'], 1000);
    expect(typeof after).not.toBe('number');
    expect(guard.begin(['acct'], 1000)).toBe(1000);
    if (typeof after === 'number') throw new Error('unreachable');
    after.succeed('acct');
    expect(guard.lockedFor(['acct'], 1000)).toBe(0);
    expect(typeof guard.begin(['acct'], 1000)).not.toBe('number');
  });
});
