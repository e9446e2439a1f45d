import { memoryE2eStorage, parseServerUrl, type E2eOptions, type E2eStorage } from '@parley/client';
import { foldName } from '@parley/protocol';
import { deleteDatabase, IdbStore, KEYS_STORE, openDatabase, VALUES_STORE } from './e2e-idb.ts';
import { newSealingKey, sealedE2eStorage, type SealedRecord } from './e2e-sealed-storage.ts';

/**
 * This tab's end-to-end encryption for one sign-in. An account keeps its keys in an IndexedDB
 * database of its own per (server, account): the identity key pair (the private half
 * non-extractable) and a non-extractable AES-GCM key that seals every E2eStorage value (the
 * device key, group states, the archive). One tab at a time owns that state: the tab holds a Web
 * Lock of the same name for as long as it uses it, and a second tab, which cannot get the lock,
 * runs without end-to-end encryption (`other-tab`) and never opens the database. A guest keeps
 * everything in memory with a key made for the visit.
 */
export type E2eMode = 'active' | 'guest' | 'other-tab' | 'unavailable';

export interface E2eSession {
  readonly mode: E2eMode;
  /** ParleyClient's `e2e` option for one client; undefined: this tab runs without end-to-end encryption. */
  clientOptions(): E2eOptions | undefined;
  /** The identity key pair of another device replaces this browser's (for the next login). */
  importIdentity(pair: CryptoKeyPair): Promise<void>;
  /** The next login replaces the server's identity key for the account with this browser's (SDK `resetIdentity`). */
  resetIdentity(): void;
  /** This device was removed from the account: its state goes (the keys stay), so the next login sets up a new device. */
  wipeDevice(): Promise<void>;
  /** Releases the lock once `closed` (the client using the storage) has settled. */
  releaseAfter(closed: Promise<unknown>): void;
  /** After a login that failed: a database made for it is deleted again, so a mistyped name leaves nothing behind. */
  discard(): Promise<void>;
}

const IDENTITY = 'identity';
const SEAL = 'seal';
/** How long a new sign-in waits for this tab's previous one to let go of the lock. */
const RELEASE_WAIT_MS = 5000;

/** Sessions of this tab that hold their lock, by name: a sign-in right after a sign-out waits for the old one to let go. */
const live = new Map<string, { released: Promise<void> }>();

export function e2eStoreName(server: string, account: string): string {
  return `parley-e2e:${server}:${foldName(account)}`;
}

function generateIdentity(): Promise<CryptoKeyPair> {
  return globalThis.crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** Takes the lock if nobody has it; the returned function lets go of it. */
function takeLock(name: string): Promise<(() => void) | undefined> {
  return new Promise((resolve, reject) => {
    navigator.locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (!lock) return resolve(undefined);
        return new Promise<void>((release) => resolve(release));
      })
      .catch(reject);
  });
}

const withoutE2e = (mode: E2eMode): E2eSession => ({
  mode,
  clientOptions: () => undefined,
  importIdentity: () => Promise.reject(new Error('No end-to-end encryption in this tab')),
  resetIdentity: () => undefined,
  wipeDevice: () => Promise.resolve(),
  releaseAfter: () => undefined,
  discard: () => Promise.resolve(),
});

async function guestSession(): Promise<E2eSession> {
  try {
    const identity = await generateIdentity();
    const storage = memoryE2eStorage();
    return { ...withoutE2e('guest'), clientOptions: () => ({ identity, storage }) };
  } catch {
    return withoutE2e('unavailable');
  }
}

interface Opened {
  name: string;
  db: IDBDatabase;
  created: boolean;
  identity: CryptoKeyPair;
  seal: CryptoKey;
  release: () => void;
}

class BrowserSession implements E2eSession {
  readonly mode = 'active';
  private readonly keys: IdbStore;
  private readonly values: IdbStore;
  private readonly storage: E2eStorage;
  private identity: CryptoKeyPair;
  private reset = false;
  private done = false;
  private letGo: () => void = () => undefined;
  readonly released = new Promise<void>((resolve) => (this.letGo = resolve));

  constructor(private readonly opened: Opened) {
    this.keys = new IdbStore(opened.db, KEYS_STORE);
    this.values = new IdbStore(opened.db, VALUES_STORE);
    this.storage = sealedE2eStorage(
      { get: (key) => this.values.get<SealedRecord>(key), put: (key, record) => this.values.put(key, record), delete: (key) => this.values.delete(key) },
      opened.seal,
    );
    this.identity = opened.identity;
    live.set(opened.name, this);
  }

  clientOptions(): E2eOptions {
    const options: E2eOptions = { identity: this.identity, storage: this.storage };
    // Once: a later reconnect must not reset again what another device of the account may have reset since.
    if (this.reset) options.resetIdentity = true;
    this.reset = false;
    return options;
  }

  async importIdentity(pair: CryptoKeyPair): Promise<void> {
    await this.keys.put(IDENTITY, pair);
    this.identity = pair;
  }

  resetIdentity(): void {
    this.reset = true;
  }

  wipeDevice(): Promise<void> {
    return this.values.clear();
  }

  releaseAfter(closed: Promise<unknown>): void {
    void closed.then(
      () => this.release(),
      () => this.release(),
    );
  }

  discard(): Promise<void> {
    this.release();
    // Not waited for: a deletion blocked by another connection (a second tab reading it) completes when that closes.
    if (this.opened.created) void deleteDatabase(this.opened.name).catch(() => undefined);
    return Promise.resolve();
  }

  private release(): void {
    if (this.done) return;
    this.done = true;
    this.opened.db.close();
    this.opened.release();
    if (live.get(this.opened.name) === this) live.delete(this.opened.name);
    this.letGo();
  }
}

async function openStore(name: string, release: () => void): Promise<E2eSession> {
  try {
    const { db, created } = await openDatabase(name);
    const keys = new IdbStore(db, KEYS_STORE);
    let seal = await keys.get<CryptoKey>(SEAL);
    if (!seal) {
      seal = await newSealingKey();
      await keys.put(SEAL, seal);
    }
    // First sign-in to the account in this browser: its identity key is made here.
    let identity = await keys.get<CryptoKeyPair>(IDENTITY);
    if (!identity) {
      identity = await generateIdentity();
      await keys.put(IDENTITY, identity);
    }
    return new BrowserSession({ name, db, created, identity, seal, release });
  } catch {
    release();
    return withoutE2e('unavailable');
  }
}

/**
 * The session for a sign-in to `url` (the first address of the list) as `account` (undefined for
 * a guest). Without IndexedDB, Web Locks or Ed25519 in WebCrypto the tab runs without end-to-end
 * encryption (`unavailable`); with the lock held by another tab, `other-tab`.
 */
export async function openE2eSession(url: string, account: string | undefined): Promise<E2eSession> {
  if (account === undefined) return guestSession();
  if (typeof indexedDB === 'undefined' || !('locks' in navigator) || !globalThis.crypto?.subtle) return withoutE2e('unavailable');
  let name: string;
  try {
    name = e2eStoreName(parseServerUrl(url).href, account);
  } catch {
    // Not a server address: the sign-in fails on its own, with the reason.
    return withoutE2e('unavailable');
  }
  const previous = live.get(name);
  if (previous) await Promise.race([previous.released, new Promise((resolve) => setTimeout(resolve, RELEASE_WAIT_MS))]);
  let release: (() => void) | undefined;
  try {
    release = await takeLock(name);
  } catch {
    return withoutE2e('unavailable');
  }
  return release ? openStore(name, release) : withoutE2e('other-tab');
}
