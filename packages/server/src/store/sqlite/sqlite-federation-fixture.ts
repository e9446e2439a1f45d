import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { FederationStore } from '../federation-store.ts';
import type { Store } from '../store.ts';
import { openSqliteStore } from './sqlite-store.ts';

export interface FederationStoreFixture {
  readonly store: Store;
  readonly fed: FederationStore;
  readonly file: string;
  /** Closes and opens the same file again: what must survive a restart. */
  reopen(): Promise<void>;
}

/** A real SQLite file store for each test of the calling describe block, closed and removed after it. */
export function useFederationStore(): FederationStoreFixture {
  let dir = '';
  let file = '';
  let store: Store | undefined;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-fed-'));
    file = path.join(dir, 'parley.db');
    store = await openSqliteStore({ file });
  });
  afterEach(async () => {
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    get store() {
      return store!;
    },
    get fed() {
      return store!.federation!;
    },
    get file() {
      return file;
    },
    async reopen() {
      await store?.close();
      store = await openSqliteStore({ file });
    },
  };
}
