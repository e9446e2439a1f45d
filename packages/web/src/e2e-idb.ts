/**
 * The few IndexedDB calls the end-to-end storage needs, as promises. One database per (server,
 * account) holds two object stores: `keys` (CryptoKey objects, structured-cloned as they are, so
 * non-extractable keys stay non-extractable) and `values` (the sealed E2eStorage values).
 */
export const KEYS_STORE = 'keys';
export const VALUES_STORE = 'values';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** Opens (or makes) the database; `created` when it did not exist before. */
export function openDatabase(name: string): Promise<{ db: IDBDatabase; created: boolean }> {
  return new Promise((resolve, reject) => {
    let created = false;
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = (event) => {
      created = event.oldVersion === 0;
      const db = req.result;
      if (!db.objectStoreNames.contains(KEYS_STORE)) db.createObjectStore(KEYS_STORE);
      if (!db.objectStoreNames.contains(VALUES_STORE)) db.createObjectStore(VALUES_STORE);
    };
    req.onsuccess = () => resolve({ db: req.result, created });
    req.onerror = () => reject(req.error ?? new Error(`Could not open IndexedDB database ${name}`));
    req.onblocked = () => reject(new Error(`IndexedDB database ${name} is blocked by another tab`));
  });
}

export function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error ?? new Error(`Could not delete IndexedDB database ${name}`));
  });
}

/** One object store. A write resolves once its transaction has completed (durably: `strict`), not when the request was queued. */
export class IdbStore {
  constructor(
    private readonly db: IDBDatabase,
    private readonly name: string,
  ) {}

  get<T>(key: string): Promise<T | undefined> {
    return request(this.db.transaction(this.name, 'readonly').objectStore(this.name).get(key)) as Promise<T | undefined>;
  }

  put(key: string, value: unknown): Promise<void> {
    return this.write((store) => store.put(value, key));
  }

  delete(key: string): Promise<void> {
    return this.write((store) => store.delete(key));
  }

  clear(): Promise<void> {
    return this.write((store) => store.clear());
  }

  private write(change: (store: IDBObjectStore) => unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      const tx = this.db.transaction(this.name, 'readwrite', { durability: 'strict' });
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
      change(tx.objectStore(this.name));
    });
  }
}
