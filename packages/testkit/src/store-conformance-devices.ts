import { beforeEach, describe, expect, it } from 'vitest';
import type { NewDevice, Store } from '@parley/server';
import { expectStoreError, storeFixture } from './store-conformance-helpers.ts';

/**
 * The device credentials part of the Store contract (`store.devices`). Called from
 * describeStoreConformance with the same per-test store.
 */
export function describeDeviceConformance(current: () => Store): void {
  describe('devices', () => {
    let store: Store;
    const { account } = storeFixture(() => store);
    beforeEach(() => {
      store = current();
    });

    let hashes = 0;
    const device = (accountId: number, extra: Partial<NewDevice> = {}): NewDevice => ({
      accountId,
      label: 'Firefox on Linux',
      tokenHash: `${'0'.repeat(60)}${String(++hashes).padStart(4, '0')}`,
      at: 1_700_000_000_000 + hashes,
      address: '127.0.0.1',
      ...extra,
    });

    it('creates devices with their account name, and lists an account’s oldest first', async () => {
      const alice = await account('alice');
      const bob = await account('bob');
      const first = await store.devices.create(device(alice, { label: 'Phone' }));
      const other = await store.devices.create(device(bob));
      const second = await store.devices.create(device(alice, { label: 'Laptop', address: '::1' }));
      expect(first).toEqual({
        id: first.id,
        accountId: alice,
        accountName: 'alice',
        label: 'Phone',
        tokenHash: first.tokenHash,
        createdAt: first.createdAt,
        lastUsedAt: first.createdAt,
        lastAddress: '127.0.0.1',
      });
      expect(second.id).toBeGreaterThan(first.id);
      expect(other.id).not.toBe(first.id);
      expect((await store.devices.listFor(alice)).map((d) => d.label)).toEqual(['Phone', 'Laptop']);
      expect(await store.devices.listFor(bob)).toEqual([other]);
      expect(await store.devices.listFor(9999)).toEqual([]);
      expect(await store.devices.find(second.id)).toEqual(second);
      expect(await store.devices.find(9999)).toBeUndefined();
    });

    it('refuses a token hash stored already with conflict', async () => {
      const alice = await account('alice');
      const stored = await store.devices.create(device(alice));
      await expectStoreError(store.devices.create(device(alice, { tokenHash: stored.tokenHash })), 'conflict');
      expect(await store.devices.listFor(alice)).toHaveLength(1);
    });

    it('records each use, and says when the device is gone', async () => {
      const alice = await account('alice');
      const stored = await store.devices.create(device(alice));
      expect(await store.devices.touch(stored.id, { at: stored.createdAt + 5000, address: '10.0.0.7' })).toBe(true);
      expect(await store.devices.find(stored.id)).toMatchObject({ createdAt: stored.createdAt, lastUsedAt: stored.createdAt + 5000, lastAddress: '10.0.0.7' });
      expect(await store.devices.remove(stored.id)).toBe(true);
      expect(await store.devices.remove(stored.id)).toBe(false);
      expect(await store.devices.touch(stored.id, { at: 1, address: 'x' })).toBe(false);
      expect(await store.devices.find(stored.id)).toBeUndefined();
    });

    it('never hands out a removed id again', async () => {
      const alice = await account('alice');
      const a = await store.devices.create(device(alice));
      const b = await store.devices.create(device(alice));
      await store.devices.remove(b.id);
      const c = await store.devices.create(device(alice));
      expect(c.id).toBeGreaterThan(b.id);
      expect((await store.devices.listFor(alice)).map((d) => d.id)).toEqual([a.id, c.id]);
    });

    it('refuses a device for an account that does not exist', async () => {
      await expectStoreError(store.devices.create(device(424242)), 'failed');
    });
  });
}
