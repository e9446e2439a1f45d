/**
 * Tells subscribers that something changed, at most once per microtask: views re-read everything
 * they draw on each call, so one call after a burst of event handlers is enough.
 */
export class ChangeSignal {
  private readonly listeners = new Set<() => void>();
  private queued = false;

  /** Returns the function that unsubscribes. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      for (const listener of this.listeners) listener();
    });
  }
}
