import { ParleyClientError } from '@parley/client';

/** The text shown for a failure: its own message, which SDK errors and runInput's throws write for people. */
export function describeError(error: unknown): string {
  if (error instanceof ParleyClientError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Why the client ended, for the connect screen. After a kick or a ban (the registry's `stop`
 * action) it says so plainly and that it will not come back by itself: the old client did,
 * within a second, which made a kick meaningless.
 */
export function describeDisconnect(error: ParleyClientError): string {
  if (error.errorName === 'KICKED') return `An operator disconnected you. ${error.message}. Parley will not reconnect by itself; sign in again when you are ready.`;
  if (error.errorName === 'BANNED') return `${error.message}. Parley will not reconnect.`;
  return `Disconnected: ${error.message}`;
}

/**
 * A refused command with the server's error name first (FORBIDDEN, MUTED, INVITE_ONLY, …): the
 * server decides what is allowed, and its name tells the person which rule said no.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof ParleyClientError) return `${error.errorName}: ${error.message}`;
  return describeError(error);
}
