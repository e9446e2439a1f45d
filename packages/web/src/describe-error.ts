import { ParleyClientError } from '@parley/client';

/** The text shown for a failure: its own message, which SDK errors and runInput's throws write for people. */
export function describeError(error: unknown): string {
  if (error instanceof ParleyClientError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
