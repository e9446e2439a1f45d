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
