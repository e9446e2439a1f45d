/**
 * Reconnect delays: 15 ms doubling to a 5 s cap (a server back from a restart is noticed within seconds), each with ±50% jitter so that a thousand
 * clients cut off by one restart do not all come back in the same millisecond.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs = 15,
    private readonly maxMs = 5_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    this.attempt += 1;
    return Math.min(this.maxMs, Math.round(base * (0.5 + this.random())));
  }

  reset(): void {
    this.attempt = 0;
  }
}
