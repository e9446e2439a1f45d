import type { ServerContext } from '../core/context.ts';
import type { Room } from '../chat/room.ts';
import type { E2eGroupRecord, GroupDevice } from '../store/store.ts';

/**
 * Each encrypted conversation's group (epoch and member devices) as ESEND checks it, without two
 * store reads per message. Only a single server keeps it: every commit goes through this process,
 * which updates or drops the entry. A node of a cluster reads the store every time (another node
 * may have moved the epoch). A room's entry belongs to that room object: a room deleted and made
 * again under its name is another room.
 */
export interface CachedGroup {
  group: E2eGroupRecord;
  /** `userId/deviceId` of every member device. */
  members: ReadonlySet<string>;
  room: Room | undefined;
}

const MAX_ENTRIES = 10_000;
const caches = new WeakMap<ServerContext, Map<string, CachedGroup>>();
/** Bumped by every forget: a read that started before a commit must not store what it read. */
const generations = new WeakMap<ServerContext, number>();

export const deviceKey = (d: GroupDevice) => `${d.userId}/${d.deviceId}`;

function cacheOf(server: ServerContext): Map<string, CachedGroup> | undefined {
  if (server.clustered) return undefined;
  let cache = caches.get(server);
  if (!cache) caches.set(server, (cache = new Map()));
  return cache;
}

/** The conversation's group and members, or undefined when it has none. */
export async function cachedGroup(server: ServerContext, conv: string, room: Room | undefined): Promise<CachedGroup | undefined> {
  const cache = cacheOf(server);
  const hit = cache?.get(conv);
  if (hit && hit.room === room) return hit;
  const generation = generations.get(server) ?? 0;
  const group = await server.store.e2e.groupOfConv(conv);
  if (!group) return undefined;
  const members = new Set((await server.store.e2e.groupMembers(group.groupId)).map(deviceKey));
  const entry = { group, members, room };
  if (cache && generation === (generations.get(server) ?? 0)) {
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(conv, entry);
  }
  return entry;
}

/** The group is being made, replaced or committed to (call before and after): read again at its next message. */
export function forgetGroup(server: ServerContext, conv: string): void {
  generations.set(server, (generations.get(server) ?? 0) + 1);
  caches.get(server)?.delete(conv);
}
