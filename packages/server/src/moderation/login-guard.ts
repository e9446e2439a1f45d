import type { Limits } from '../config/schema.ts';

interface Failures {
  count: number;
  lockedUntil: number;
  lastAt: number;
  /** Attempts admitted by `begin` whose password check has not finished. */
  inFlight: number;
}

/** One admitted login attempt; exactly one of its methods takes effect, later calls do nothing. */
export interface LoginAttempt {
  /** Records a failure on every key; returns the longest lockout it started (0: none). */
  fail(now?: number): number;
  /** The password was right: clears `key`'s record (the account's). */
  succeed(key: string): void;
  /** Neither: the check itself broke (a store error, say). Frees the slot, counts nothing. */
  release(): void;
}

const MAX_TRACKED = 100_000;

/**
 * Failed-login lockout, per account and per IP address. After `login_failures_before_lockout`
 * failures in a row a key is locked for `login_lockout_ms`, doubling with every further failure
 * up to `login_lockout_max_ms`. A success clears the account's record (not the address's: one
 * right password must not unlock guessing at other accounts). Attempts while locked are refused
 * before any password is hashed, so a brute force costs the server almost nothing.
 *
 * A password check takes tens of milliseconds (argon2id ≈ 50 ms), so checking the lockout
 * before it and recording the failure after it let parallel attempts all through: 20 wrong
 * passwords sent at once from 20 addresses were all checked against a limit of 5. `begin`
 * therefore counts an attempt against its keys while it is in flight: a key admits at most as
 * many concurrent attempts as it has failures left before its lockout (at least one once a
 * lockout has run out, so the doubling still starts from a single check).
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

  /**
   * Admits an attempt on all `keys` at once, or refuses it: then the result is the ms to wait
   * (until the lockout ends, or `login_lockout_ms` while other attempts use up the key's free
   * failures). The caller must settle an admitted attempt (try/finally `release()`).
   */
  begin(keys: readonly string[], now = Date.now()): LoginAttempt | number {
    const locked = this.lockedFor(keys, now);
    if (locked > 0) return locked;
    const { login_failures_before_lockout: free, login_lockout_ms: base, login_lockout_max_ms: max } = this.limits();
    for (const key of keys) {
      const entry = this.failures.get(key);
      if (!entry) continue;
      const count = now - entry.lastAt > max ? 0 : entry.count;
      if (entry.inFlight >= Math.max(1, free - count)) return base;
    }
    if (this.failures.size >= MAX_TRACKED) this.prune(now, max);
    for (const key of keys) {
      const entry = this.failures.get(key);
      if (entry) entry.inFlight += 1;
      else this.failures.set(key, { count: 0, lockedUntil: 0, lastAt: now, inFlight: 1 });
    }
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      for (const key of keys) {
        const entry = this.failures.get(key);
        if (!entry) continue;
        entry.inFlight -= 1;
        // An attempt that left no failure behind leaves no record either.
        if (entry.inFlight === 0 && entry.count === 0) this.failures.delete(key);
      }
      return true;
    };
    return {
      fail: (at = Date.now()) => (settle() ? this.fail(keys, at) : 0),
      succeed: (key) => {
        if (settle()) this.succeed(key);
      },
      release: () => void settle(),
    };
  }

  /** Records a failure for every key; returns the longest lockout it started (0: none). */
  fail(keys: readonly string[], now = Date.now()): number {
    const { login_failures_before_lockout: free, login_lockout_ms: base, login_lockout_max_ms: max } = this.limits();
    if (this.failures.size >= MAX_TRACKED) this.prune(now, max);
    let longest = 0;
    for (const key of keys) {
      const entry = this.failures.get(key) ?? { count: 0, lockedUntil: 0, lastAt: now, inFlight: 0 };
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
    const entry = this.failures.get(key);
    // Other attempts still in flight keep their slots; only the failures are forgiven.
    if (entry && entry.inFlight > 0) Object.assign(entry, { count: 0, lockedUntil: 0 });
    else this.failures.delete(key);
  }

  private prune(now: number, max: number): void {
    for (const [key, entry] of this.failures) if (now - entry.lastAt > max && entry.lockedUntil <= now && entry.inFlight === 0) this.failures.delete(key);
    let drop = this.failures.size - MAX_TRACKED + Math.ceil(MAX_TRACKED / 10);
    // Entries with attempts in flight stay: dropping one would let its key admit more.
    for (const [key, entry] of this.failures) {
      if (drop <= 0) break;
      if (entry.inFlight > 0) continue;
      this.failures.delete(key);
      drop -= 1;
    }
  }
}

export const accountLoginKey = (nameKey: string) => `account:${nameKey}`;
export const ipLoginKey = (ip: string) => `ip:${ip}`;
