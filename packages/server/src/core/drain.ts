import type { ByteSink } from './outbound.ts';

/**
 * Resolves when the sink drains or closes, or after `recheckMs`: a socket only emits 'drain'
 * after a write it refused (past its high-water mark), so a caller waiting for a smaller
 * backlog looks again on the timer rather than waiting for an event that may never come.
 */
export function waitForDrain(sink: ByteSink, recheckMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      sink.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, recheckMs);
    sink.once('drain', done);
    sink.once('close', done);
  });
}
