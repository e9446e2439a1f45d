import { ParleyClientError } from './errors.ts';

/** The pause between reconnect attempts, which "Retry now" (or close) can cut short. */
export class ReconnectWait {
  private wakeUp: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** Ends the current pause now; does nothing when none is running. */
  wake(): void {
    this.wakeUp?.();
  }
}

/** Requests waiting for a logged-in connection: woken when one is ready, or when the client closes. */
export class ReadyWaiters {
  private waiters: (() => void)[] = [];

  /** Resolves at the next `wake`; rejects with TIMEOUT after `timeoutMs`. */
  async wait(timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.waiters.push(resolve);
        timer = setTimeout(() => reject(ParleyClientError.local('TIMEOUT', `Not connected within ${timeoutMs} ms`)), timeoutMs);
      });
    } finally {
      clearTimeout(timer);
    }
  }

  wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
