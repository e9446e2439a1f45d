import type { ParleyClient } from '@parley/client';

/**
 * How long quitting waits for the server to acknowledge what was sent. A person who asked to
 * leave should not wait for a server that is down (the client would hold the sends until it is
 * back, however long that takes); a few seconds cover a slow acknowledgement.
 */
export const DRAIN_ON_QUIT_MS = 3000;

/** Waits for every queued send to be acknowledged, at most `ms`; false when some were not. */
export async function drainWithin(client: ParleyClient, ms = DRAIN_ON_QUIT_MS): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const drained = await Promise.race([client.drain().then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  return drained;
}
