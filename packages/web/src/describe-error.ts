import { ParleyClientError } from '@parley/client';

/** The text shown for a failure: its own message, which SDK errors and runInput's throws write for people. */
export function describeError(error: unknown): string {
  if (error instanceof ParleyClientError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A refused command with the server's error name first (FORBIDDEN, MUTED, INVITE_ONLY, …): the
 * server decides what is allowed, and its name tells the person which rule said no.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof ParleyClientError) return `${error.errorName}: ${error.message}`;
  return describeError(error);
}
