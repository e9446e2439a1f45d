import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '@parley/server';
import { expectStoreError, storeFixture } from './store-conformance-helpers.ts';

/** The login keys part of the Store contract (`store.keys`), with the same per-test store. */
export function describeAccountKeyConformance(current: () => Store): void {
  describe('login keys', () => {
    let store: Store;
    const { account } = storeFixture(() => store);
    beforeEach(() => {
      store = current();
    });
    let n = 0;
    const key = () => `${'A'.repeat(39)}${String(++n).padStart(4, '0')}`;

    it('adds keys with their account name, lists an account’s oldest first and finds each', async () => {
      const alice = await account('alice');
      const bob = await account('bob');
      const [k1, k2, k3] = [key(), key(), key()];
      const first = await store.keys.add({ accountId: alice, key: k1, label: 'laptop', at: 1000 });
      const other = await store.keys.add({ accountId: bob, key: k2, label: 'bot', at: 1001 });
      await store.keys.add({ accountId: alice, key: k3, label: 'phone', at: 1002 });
      expect(first).toEqual({ key: k1, accountId: alice, accountName: 'alice', label: 'laptop', createdAt: 1000, lastUsedAt: 1000 });
      expect((await store.keys.listFor(alice)).map((k) => k.label)).toEqual(['laptop', 'phone']);
      expect(await store.keys.listFor(bob)).toEqual([other]);
      expect(await store.keys.listFor(9999)).toEqual([]);
      expect(await store.keys.find(k2)).toEqual(other);
      expect(await store.keys.find(key())).toBeUndefined();
    });

    it('refuses a key another account (or the same one) has, with conflict', async () => {
      const alice = await account('alice');
      const bob = await account('bob');
      const k = key();
      await store.keys.add({ accountId: alice, key: k, label: 'a', at: 1 });
      await expectStoreError(store.keys.add({ accountId: bob, key: k, label: 'b', at: 2 }), 'conflict');
      await expectStoreError(store.keys.add({ accountId: alice, key: k, label: 'c', at: 3 }), 'conflict');
      expect((await store.keys.find(k))?.accountName).toBe('alice');
    });

    it('records each use, removes only the account’s own key, and says when it is gone', async () => {
      const alice = await account('alice');
      const bob = await account('bob');
      const k = key();
      await store.keys.add({ accountId: alice, key: k, label: 'a', at: 1 });
      expect(await store.keys.touch(k, 50)).toBe(true);
      expect((await store.keys.find(k))?.lastUsedAt).toBe(50);
      expect(await store.keys.remove(bob, k)).toBe(false);
      expect(await store.keys.remove(alice, k)).toBe(true);
      expect(await store.keys.remove(alice, k)).toBe(false);
      expect(await store.keys.touch(k, 60)).toBe(false);
      expect(await store.keys.find(k)).toBeUndefined();
    });
  });
}
