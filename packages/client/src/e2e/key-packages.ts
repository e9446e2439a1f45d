import { createKeyPackage, DEFAULT_KEY_PACKAGE_LIFETIME_MS, toBase64Url } from '@parley/e2e';
import { call, type E2eEnv } from './context.ts';
import type { LocalDevice } from './device-setup.ts';
import { readJson, STORAGE_KEYS, writeJson } from './storage.ts';

/**
 * This device's KeyPackages: whoever adds it to a group claims one from the server's directory,
 * and the Welcome that follows can only be opened with the private part kept here (the bundle,
 * stored under the package's ref until a Welcome uses it). One-time packages are handed out once;
 * the last-resort one stays on the server for when they run out.
 */
interface IndexEntry {
  ref: string;
  created: number;
}

interface KeyPackageIndex {
  packages: IndexEntry[];
  /** `certificate`: the device certificate it carries (base64url); absent in indexes written before it was kept. */
  lastResort?: IndexEntry & { keyPackage: string; certificate?: string };
}

/** Below this many one-time packages on the server, upload a batch. */
const LOW_WATER = 10;
const BATCH = 20;
/** Packages are dropped here a day before they expire: the server no longer hands them out by then. */
const KEEP_MS = DEFAULT_KEY_PACKAGE_LIFETIME_MS - 24 * 3600_000;
const QUEUE = 'key-packages';

async function readIndex(env: E2eEnv): Promise<KeyPackageIndex> {
  return (await readJson<KeyPackageIndex>(env.storage, STORAGE_KEYS.keyPackages)) ?? { packages: [] };
}

async function makePackages(env: E2eEnv, device: LocalDevice, count: number): Promise<{ entries: IndexEntry[]; keyPackages: string[] }> {
  const entries: IndexEntry[] = [];
  const keyPackages: string[] = [];
  for (let i = 0; i < count; i++) {
    const made = await createKeyPackage(device.mls, env.mls);
    const ref = toBase64Url(made.ref);
    // The private part is saved before the public one leaves the device.
    await env.storage.set(STORAGE_KEYS.bundle(ref), made.bundle);
    entries.push({ ref, created: Date.now() });
    keyPackages.push(toBase64Url(made.keyPackage));
  }
  return { entries, keyPackages };
}

/** Deletes the bundles of packages too old to be handed out any more. */
async function prune(env: E2eEnv, index: KeyPackageIndex): Promise<KeyPackageIndex> {
  const now = Date.now();
  const expired = index.packages.filter((p) => now - p.created > KEEP_MS);
  for (const entry of expired) await env.storage.delete(STORAGE_KEYS.bundle(entry.ref));
  const lastResort = index.lastResort && now - index.lastResort.created <= KEEP_MS ? index.lastResort : undefined;
  if (index.lastResort && !lastResort) await env.storage.delete(STORAGE_KEYS.bundle(index.lastResort.ref));
  return { packages: index.packages.filter((p) => !expired.includes(p)), ...(lastResort ? { lastResort } : {}) };
}

/**
 * Keeps at least LOW_WATER one-time packages on the server (a batch of BATCH when below) and
 * one last-resort package. The upload of the last-resort package (every login: the server may
 * have forgotten it with a removed device) also answers how many one-time packages it keeps.
 */
export function replenishKeyPackages(env: E2eEnv, device: LocalDevice): Promise<void> {
  return env.queues.run(QUEUE, async () => {
    let index = await prune(env, await readIndex(env));
    const certificate = toBase64Url(device.certificate);
    // A new certificate (a guest's new user id after a server restart, a replaced identity key): the old package would be refused.
    if (index.lastResort?.certificate !== certificate) {
      const made = await makePackages(env, device, 1);
      // The old one's private part stays until it would have expired, in case a Welcome for it is on its way.
      const old = index.lastResort ? [{ ref: index.lastResort.ref, created: index.lastResort.created }] : [];
      index = { packages: [...index.packages, ...old], lastResort: { ...made.entries[0]!, keyPackage: made.keyPackages[0]!, certificate } };
    }
    await writeJson(env.storage, STORAGE_KEYS.keyPackages, index);
    const { count } = await call(env, 'kpupload', { packages: [], last_resort: index.lastResort!.keyPackage });
    if (count >= LOW_WATER) return;
    const made = await makePackages(env, device, BATCH);
    index = { ...index, packages: [...index.packages, ...made.entries] };
    await writeJson(env.storage, STORAGE_KEYS.keyPackages, index);
    await call(env, 'kpupload', { packages: made.keyPackages });
  });
}

/** The bundle of the first of `refs` (a Welcome's recipients) this device has. */
export async function findBundle(env: E2eEnv, refs: readonly Uint8Array[]): Promise<{ ref: string; bundle: Uint8Array } | undefined> {
  for (const raw of refs) {
    const ref = toBase64Url(raw);
    const bundle = await env.storage.get(STORAGE_KEYS.bundle(ref));
    if (bundle) return { ref, bundle };
  }
  return undefined;
}

/** A Welcome used this package: a one-time package's private part is deleted (the last-resort one is kept). */
export function consumeBundle(env: E2eEnv, ref: string): Promise<void> {
  return env.queues.run(QUEUE, async () => {
    const index = await readIndex(env);
    if (index.lastResort?.ref === ref) return;
    await env.storage.delete(STORAGE_KEYS.bundle(ref));
    await writeJson(env.storage, STORAGE_KEYS.keyPackages, { ...index, packages: index.packages.filter((p) => p.ref !== ref) });
  });
}
