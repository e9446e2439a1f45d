import type { StoreError } from './store.ts';

/**
 * Passes 'full' and 'io' errors to `report` (the server logs them), at most one a minute: on a
 * full disk every write fails, and the log should say so without filling up with it. Returns
 * the error, for `throw`.
 */
export function resourceReporter(report: ((error: StoreError) => void) | undefined, intervalMs = 60_000): (error: StoreError) => StoreError {
  let lastAt = -Infinity;
  return (error) => {
    if (report && (error.code === 'full' || error.code === 'io') && Date.now() - lastAt >= intervalMs) {
      lastAt = Date.now();
      report(error);
    }
    return error;
  };
}
