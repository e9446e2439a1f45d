import type { ClientState, StateChange } from '@parley/client';

/** What the reconnect banner and the chat screen show about the link to the server. */
export interface Connection {
  state: ClientState;
  /** While reconnecting: when the next attempt starts (Date.now() clock). */
  retryAt: number | undefined;
  /** Set after a reconnect, cleared by the UI once shown. */
  resumedMissed: number | undefined;
}

/** The connection after the client reports `change`; `now` is the Date.now() clock. */
export function nextConnection(previous: Connection, change: StateChange, now: number): Connection {
  // The SDK reports `reconnecting` twice per attempt: with the delay while it waits, then without
  // one as the attempt starts; the second keeps the time the banner counts down to. An attempt
  // that starts before that time ("Retry now") has no countdown left.
  const kept = previous.retryAt !== undefined && previous.retryAt <= now ? previous.retryAt : undefined;
  const retryAt = change.delayMs !== undefined ? now + change.delayMs : change.state === 'reconnecting' ? kept : undefined;
  // The "reconnected" banner outlives later state changes until the UI dismisses it.
  const resumedMissed = change.state === 'connected' && change.resumed ? (change.missed ?? 0) : previous.resumedMissed;
  return { state: change.state, retryAt, resumedMissed };
}
