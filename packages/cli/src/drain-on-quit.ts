import type { ParleyClient } from '@parley/client';

/**
 * How long quitting waits for the server to acknowledge what was sent. A person who asked to
 * leave should not wait for a server that is down (the client would hold the sends until it is
 * back, however long that takes); a few seconds cover a slow acknowledgement.
 */
export const DRAIN_ON_QUIT_MS = 3000;

/**
 * Waits for every queued send to be acknowledged, at most `ms`; false when some were not.
 * `sends`: the client's own sends besides the SDK's outbox (encrypted DMs, ChatSender.idle).
 */
export async function drainWithin(client: ParleyClient, options: { ms?: number; sends?: () => Promise<void> } = {}): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const all = Promise.all([client.drain(), options.sends?.()]).then(() => true);
  const drained = await Promise.race([all, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), options.ms ?? DRAIN_ON_QUIT_MS)))]);
  clearTimeout(timer);
  return drained;
}

/** Waits (at most `ms`) for this login's end-to-end device to be set up, so DMs typed next find it ready. */
export async function e2eReadyWithin(client: ParleyClient, ms: number): Promise<void> {
  if (!client.e2e) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([client.e2e.whenReady().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
