/**
 * Token bucket: `burst` tokens, refilled continuously at `perMinute`. `take` returns 0 when a
 * token was available, otherwise how many ms until one will be.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  take(now = Date.now()): number {
    const perMs = this.perMinute / 60_000;
    this.tokens = Math.min(this.burst, this.tokens + (now - this.updatedAt) * perMs);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    // The epsilon keeps float noise (1.0000000000000009 ms) from rounding up a whole ms.
    return Math.ceil((1 - this.tokens) / perMs - 1e-9);
  }
}
