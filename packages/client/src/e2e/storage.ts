/**
 * Where an end-to-end device keeps its secrets: its device key and certificate, its KeyPackage
 * private parts, each conversation's MLS group state, pinned identity keys and the archive of
 * decrypted messages. Everything in it is secret (a 0600 directory in Node: fileE2eStorage in
 * '@parley/client/node'; a sealed IndexedDB store in a browser), and losing it loses the device:
 * its groups cannot be read any more and its archive is gone.
 *
 * Keys are short ASCII paths ("conv/dm:a1:a2", "archive/dm:a1:a2/17", "about/dm:a1:a2/17"); an
 * implementation may map them to file names but must keep them distinct. Each `set` replaces the
 * value atomically: a reader sees the old bytes or the new ones, never a mix (group state is
 * saved after every step, and a torn write would lose the group).
 */
export interface E2eStorage {
  get(key: string): Promise<Uint8Array | undefined>;
  set(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
}

/** In-memory storage: for guests (whose keys live as long as the session) and tests. */
export function memoryE2eStorage(): E2eStorage {
  const values = new Map<string, Uint8Array>();
  return {
    get: async (key) => values.get(key)?.slice(),
    set: async (key, value) => void values.set(key, value.slice()),
    delete: async (key) => void values.delete(key),
  };
}

/** The keys this package uses, in one place so no two concepts collide. */
export const STORAGE_KEYS = {
  device: 'device',
  keyPackages: 'key-packages',
  conversations: 'conversations',
  bundle: (ref: string) => `kp/${ref}`,
  conversation: (conv: string) => `conv/${conv}`,
  trust: (userId: string) => `trust/${userId}`,
  archive: (conv: string, seq: number) => `archive/${conv}/${seq}`,
  /** The seqs of the archived edits and reactions about message `ref` (Archive). */
  about: (conv: string, ref: number) => `about/${conv}/${ref}`,
} as const;

export async function readJson<T>(storage: E2eStorage, key: string): Promise<T | undefined> {
  const bytes = await storage.get(key);
  return bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as T);
}

export function writeJson(storage: E2eStorage, key: string, value: unknown): Promise<void> {
  return storage.set(key, new TextEncoder().encode(JSON.stringify(value)));
}
