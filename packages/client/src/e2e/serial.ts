/**
 * One queue per key (a conversation, a pinned user, the device's KeyPackage index): a task starts
 * when the previous task of the same key settled. MLS group state may be used once per step only
 * (a key generation used twice breaks the group), and a conversation's incoming messages must go
 * through the group in seq order, so every operation on a group is a task of its conversation.
 */
export class SerialQueues {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    // Forget settled queues, so a long-lived client does not keep one entry per conversation ever seen.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }
}

/**
 * Whether this login's device is set up (EDEVICE and KeyPackages done): sends wait for it. It is
 * closed again by each disconnect, opened by the next setup, failed by an error no reconnect
 * fixes (this device was removed, the identity key was replaced), and ended when the client closes.
 */
export class Gate {
  private state: { kind: 'waiting' } | { kind: 'open' } | { kind: 'failed'; error: Error } = { kind: 'waiting' };
  private waiters: { resolve: () => void; reject: (error: Error) => void; settledOnly: boolean }[] = [];
  private ended: Error | undefined;

  get isOpen(): boolean {
    return this.state.kind === 'open';
  }

  open(): void {
    this.state = { kind: 'open' };
    this.wake();
  }

  fail(error: Error): void {
    this.state = { kind: 'failed', error };
    this.wake();
  }

  /** A disconnect: later waits last until the next setup. A failure stays until a setup succeeds. */
  reset(): void {
    if (this.state.kind === 'open') this.state = { kind: 'waiting' };
  }

  /** The client closed: every wait, now and later, fails with `error`. */
  end(error: Error): void {
    this.ended = error;
    this.wake();
  }

  /** Resolves when open; rejects when failed or ended. */
  wait(): Promise<void> {
    return this.waitFor(false);
  }

  /** Resolves when open or failed (for work that can go on without a usable device); rejects when ended. */
  settled(): Promise<void> {
    return this.waitFor(true);
  }

  private waitFor(settledOnly: boolean): Promise<void> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.state.kind === 'open' || (settledOnly && this.state.kind === 'failed')) return Promise.resolve();
    if (this.state.kind === 'failed') return Promise.reject(this.state.error);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject, settledOnly }));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (this.ended) waiter.reject(this.ended);
      else if (this.state.kind === 'open' || (waiter.settledOnly && this.state.kind === 'failed')) waiter.resolve();
      else if (this.state.kind === 'failed') waiter.reject(this.state.error);
      else this.waiters.push(waiter);
    }
  }
}
