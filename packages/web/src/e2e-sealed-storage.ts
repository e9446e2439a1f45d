import type { E2eStorage } from '@parley/client';

/** A sealed value as it is kept: AES-256-GCM under the store's sealing key. */
export interface SealedRecord {
  /** Random for every write. */
  iv: Uint8Array;
  /** Ciphertext and tag. */
  data: Uint8Array;
}

/** Where sealed records go (an IndexedDB object store in the browser, a Map in tests). */
export interface RecordStore {
  get(key: string): Promise<SealedRecord | undefined>;
  put(key: string, record: SealedRecord): Promise<void>;
  delete(key: string): Promise<void>;
}

const IV_BYTES = 12;
const encoder = new TextEncoder();

/** The key that seals a store's values: non-extractable, so script can use it but never read it out. */
export function newSealingKey(): Promise<CryptoKey> {
  return globalThis.crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

export class SealedValueError extends Error {}

/**
 * An E2eStorage whose every value is sealed with AES-GCM before it is stored: a random 12-byte
 * IV per write, the storage key as additional data (so a value moved to another key does not
 * open). `set` resolves only once the record store has the new record (for IndexedDB: once the
 * transaction completed), so state is saved before what it protects leaves the device. The
 * operations on one key run in the order they were called: a slower seal of an earlier write
 * can never overwrite a later one.
 */
export function sealedE2eStorage(records: RecordStore, key: CryptoKey): E2eStorage {
  const subtle = globalThis.crypto.subtle;
  const queues = new Map<string, Promise<unknown>>();

  function inOrder<T>(name: string, step: () => Promise<T>): Promise<T> {
    const previous = queues.get(name) ?? Promise.resolve();
    const next = previous.then(step, step);
    const tail = next.catch(() => undefined);
    queues.set(name, tail);
    void tail.then(() => {
      if (queues.get(name) === tail) queues.delete(name);
    });
    return next;
  }

  return {
    get: (name) =>
      inOrder(name, async () => {
        const record = await records.get(name);
        if (record === undefined) return undefined;
        try {
          const plain = await subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(record.iv), additionalData: encoder.encode(name) }, key, new Uint8Array(record.data));
          return new Uint8Array(plain);
        } catch (cause) {
          throw new SealedValueError(`The stored value "${name}" does not open with this store's key`, { cause });
        }
      }),
    set: (name, value) =>
      inOrder(name, async () => {
        const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
        const data = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(name) }, key, new Uint8Array(value)));
        await records.put(name, { iv, data });
      }),
    delete: (name) => inOrder(name, () => records.delete(name)),
  };
}
