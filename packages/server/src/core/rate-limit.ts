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

  /**
   * Spends `count` tokens taken elsewhere (the same user's connections on other nodes of a
   * cluster); the bucket may go below zero, which makes the next `take` wait for the refill.
   */
  debit(count: number, now = Date.now()): void {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.updatedAt) * (this.perMinute / 60_000)) - count;
    this.updatedAt = now;
  }

  /** Tokens there are now (below 0 after debits: how far in debt). */
  available(now = Date.now()): number {
    return Math.min(this.burst, this.tokens + (now - this.updatedAt) * (this.perMinute / 60_000));
  }

  /** True when the bucket has refilled completely (it can be forgotten without changing anything). */
  isFull(now = Date.now()): boolean {
    return this.tokens + (now - this.updatedAt) * (this.perMinute / 60_000) >= this.burst;
  }
}

/**
 * Token buckets by key (an IP address, say), created on first use. Full buckets are dropped as
 * the map grows, so the map holds only keys that were active lately; past `maxKeys` of those,
 * the oldest are dropped too, so an attacker spraying addresses cannot grow it without bound.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly rate: () => { perMinute: number; burst: number },
    private readonly maxKeys = 100_000,
  ) {}

  /** 0 when allowed, otherwise ms until the key may try again. */
  take(key: string, now = Date.now()): number {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.prune(now);
      const { perMinute, burst } = this.rate();
      bucket = new TokenBucket(perMinute, burst, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(key);
    // Maps iterate in insertion order: drop the oldest tenth when nothing was full.
    if (this.buckets.size >= this.maxKeys) {
      let drop = Math.ceil(this.maxKeys / 10);
      for (const key of this.buckets.keys()) {
        if (drop-- <= 0) break;
        this.buckets.delete(key);
      }
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}
