import type { Limits } from '../config/schema.ts';

interface Failures {
  count: number;
  lockedUntil: number;
  lastAt: number;
}

const MAX_TRACKED = 100_000;

/**
 * Failed-login lockout, per account and per IP address. After `login_failures_before_lockout`
 * failures in a row a key is locked for `login_lockout_ms`, doubling with every further failure
 * up to `login_lockout_max_ms`. A success clears the account's record (not the address's: one
 * right password must not unlock guessing at other accounts). Attempts while locked are refused
 * before any password is hashed, so a brute force costs the server almost nothing.
 */
export class LoginGuard {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly limits: () => Limits) {}

  /** 0 when none of the keys is locked, otherwise ms until all of them are free. */
  lockedFor(keys: readonly string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const entry = this.failures.get(key);
      if (entry && entry.lockedUntil > now) wait = Math.max(wait, entry.lockedUntil - now);
    }
    return wait;
  }

  /** Records a failure for every key; returns the longest lockout it started (0: none). */
  fail(keys: readonly string[], now = Date.now()): number {
    const { login_failures_before_lockout: free, login_lockout_ms: base, login_lockout_max_ms: max } = this.limits();
    if (this.failures.size >= MAX_TRACKED) this.prune(now, max);
    let longest = 0;
    for (const key of keys) {
      const entry = this.failures.get(key) ?? { count: 0, lockedUntil: 0, lastAt: now };
      // A key quiet for longer than the longest lockout starts over.
      if (now - entry.lastAt > max) entry.count = 0;
      entry.count += 1;
      entry.lastAt = now;
      if (entry.count >= free) {
        const lockout = Math.min(max, base * 2 ** Math.min(30, entry.count - free));
        entry.lockedUntil = now + lockout;
        longest = Math.max(longest, lockout);
      }
      this.failures.set(key, entry);
    }
    return longest;
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private prune(now: number, max: number): void {
    for (const [key, entry] of this.failures) if (now - entry.lastAt > max && entry.lockedUntil <= now) this.failures.delete(key);
    let drop = this.failures.size - MAX_TRACKED + Math.ceil(MAX_TRACKED / 10);
    for (const key of this.failures.keys()) {
      if (drop-- <= 0) break;
      this.failures.delete(key);
    }
  }
}

export const accountLoginKey = (nameKey: string) => `account:${nameKey}`;
export const ipLoginKey = (ip: string) => `ip:${ip}`;
