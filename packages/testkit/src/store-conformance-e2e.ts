import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '@parley/server';
import { describeE2eGroupConformance, e2eFixture } from './store-conformance-e2e-groups.ts';
import { expectStoreError } from './store-conformance-helpers.ts';

/**
 * The end-to-end encryption part of the Store contract (`store.e2e`): identity keys, devices
 * and KeyPackages here, groups and Welcomes in store-conformance-e2e-groups.ts. Called from
 * describeStoreConformance with the same per-test store.
 */
export function describeE2eConformance(current: () => Store): void {
  describe('e2e identities and devices', () => {
    let store: Store;
    const { device, register, kp, upload } = e2eFixture(() => store);
    beforeEach(() => {
      store = current();
    });

    it('takes the first device’s identity key, is not "first" for the same key again, and lists devices oldest first', async () => {
      expect(await store.e2e.identity('a1')).toBeUndefined();
      const laptop = device('a1', 'laptop', 2000);
      const phone = device('a1', 'phone', 1000);
      expect(await register(laptop)).toEqual({ first: true });
      expect(await store.e2e.identity('a1')).toBe('identity-a1');
      expect(await register(phone)).toEqual({ first: false });
      expect(await register(device('a2', 'laptop'))).toEqual({ first: true });
      expect(await store.e2e.devices('a1')).toEqual([phone, laptop]);
      expect((await store.e2e.devices('a2')).map((d) => d.deviceId)).toEqual(['laptop']);
      expect(await store.e2e.devices('nobody')).toEqual([]);
    });

    it('re-registering a device replaces its certificate and key and keeps its creation time', async () => {
      const first = device('a1', 'laptop', 1000);
      await register(first);
      const again = device('a1', 'laptop', 5000);
      expect(await register(again)).toEqual({ first: false });
      expect(await store.e2e.devices('a1')).toEqual([{ ...again, createdAt: 1000 }]);
    });

    it('refuses another identity key without replace, with conflict, changing nothing', async () => {
      const laptop = device('a1', 'laptop');
      await register(laptop);
      await expectStoreError(register(device('a1', 'phone'), { identityKey: 'other' }), 'conflict');
      await expectStoreError(register(device('a1', 'laptop'), { identityKey: 'other' }), 'conflict');
      expect(await store.e2e.identity('a1')).toBe('identity-a1');
      expect(await store.e2e.devices('a1')).toEqual([laptop]);
    });

    it('replacing the identity key deletes every old device with its key packages, the re-registered one included', async () => {
      const [laptop, phone, bobs] = [device('a1', 'laptop'), device('a1', 'phone'), device('a2', 'laptop')];
      for (const d of [laptop, phone, bobs]) {
        await register(d);
        await upload(d, [kp(`${d.userId}-${d.deviceId}-1`)], { lastResort: kp(`${d.userId}-${d.deviceId}-last`) });
      }
      const renewed = device('a1', 'laptop', 9000);
      expect(await register(renewed, { identityKey: 'new', replace: true })).toEqual({ first: true });
      expect(await store.e2e.identity('a1')).toBe('new');
      expect(await store.e2e.devices('a1')).toEqual([renewed]);
      expect(await store.e2e.keyPackageCount('a1', 'phone')).toBe(0);
      expect(await store.e2e.keyPackageCount('a1', 'laptop')).toBe(0);
      expect(await store.e2e.claimKeyPackages('a1', Date.now())).toEqual({ packages: [], missing: ['laptop'] });
      // Another user's rows are untouched, and the new key is now the one that matches.
      expect(await store.e2e.keyPackageCount('a2', 'laptop')).toBe(1);
      expect(await register(device('a1', 'phone'), { identityKey: 'new' })).toEqual({ first: false });
    });

    it('caps the devices of a user, but never a device registered already', async () => {
      await register(device('a1', 'one'), { maxDevices: 2 });
      await register(device('a1', 'two'), { maxDevices: 2 });
      await expectStoreError(register(device('a1', 'three'), { maxDevices: 2 }), 'conflict');
      expect(await register(device('a1', 'one'), { maxDevices: 2 })).toEqual({ first: false });
      expect(await register(device('a1', 'two'), { maxDevices: 1 })).toEqual({ first: false });
      expect((await store.e2e.devices('a1')).map((d) => d.deviceId)).toEqual(['one', 'two']);
      await register(device('a2', 'one'), { maxDevices: 2 });
      // A new identity key leaves one device: the one registering.
      await register(device('a1', 'three'), { identityKey: 'new', replace: true, maxDevices: 2 });
      expect((await store.e2e.devices('a1')).map((d) => d.deviceId)).toEqual(['three']);
    });

    it('removes a device with its key packages, and says when there was none', async () => {
      const [laptop, phone] = [device('a1', 'laptop'), device('a1', 'phone')];
      await register(laptop);
      await register(phone);
      await upload(laptop, [kp('l1')], { lastResort: kp('l-last') });
      await upload(phone, [kp('p1')]);
      expect(await store.e2e.removeDevice('a1', 'laptop')).toBe(true);
      expect(await store.e2e.removeDevice('a1', 'laptop')).toBe(false);
      expect(await store.e2e.removeDevice('a2', 'phone')).toBe(false);
      expect(await store.e2e.devices('a1')).toEqual([phone]);
      expect(await store.e2e.keyPackageCount('a1', 'laptop')).toBe(0);
      expect(await store.e2e.claimKeyPackages('a1', Date.now())).toEqual({ packages: [{ deviceId: 'phone', data: 'data-p1' }], missing: [] });
      // Registered again, it starts with no packages (not even its old last resort).
      await register(device('a1', 'laptop'));
      expect((await store.e2e.claimKeyPackages('a1', Date.now())).missing).toEqual(['phone', 'laptop']);
    });
  });

  describe('e2e key packages', () => {
    let store: Store;
    const { device, register, kp, upload } = e2eFixture(() => store);
    beforeEach(() => {
      store = current();
    });
    const claim = (userId: string, at = Date.now()) => store.e2e.claimKeyPackages(userId, at);

    it('adds key packages, ignoring refs stored before, and counts the one-time ones', async () => {
      const laptop = device('a1', 'laptop');
      await register(laptop);
      expect(await upload(laptop, [kp('r1'), kp('r2')])).toEqual({ stored: 2, count: 2 });
      expect(await upload(laptop, [kp('r2'), kp('r3'), kp('r3')])).toEqual({ stored: 1, count: 3 });
      expect(await upload(laptop, [], { lastResort: kp('last') })).toEqual({ stored: 0, count: 3 });
      expect(await upload(laptop, [kp('last'), kp('r1')])).toEqual({ stored: 0, count: 3 });
      expect(await store.e2e.keyPackageCount('a1', 'laptop')).toBe(3);
      expect(await store.e2e.keyPackageCount('a1', 'phone')).toBe(0);
    });

    it('refuses packages beyond max with conflict, storing none of them, nor the last resort', async () => {
      const laptop = device('a1', 'laptop');
      await register(laptop);
      await upload(laptop, [kp('r1'), kp('r2')], { lastResort: kp('old-last'), max: 3 });
      await expectStoreError(upload(laptop, [kp('r3'), kp('r4')], { lastResort: kp('new-last'), max: 3 }), 'conflict');
      expect(await store.e2e.keyPackageCount('a1', 'laptop')).toBe(2);
      // Refs stored already do not count twice.
      expect(await upload(laptop, [kp('r1'), kp('r2'), kp('r3')], { max: 3 })).toEqual({ stored: 1, count: 3 });
      const handedOut = [];
      for (let i = 0; i < 4; i++) handedOut.push((await claim('a1')).packages[0]?.data);
      expect(handedOut).toEqual(['data-r1', 'data-r2', 'data-r3', 'data-old-last']);
    });

    it('refuses packages of a device that is not registered, with conflict', async () => {
      await register(device('a1', 'laptop'));
      await expectStoreError(upload(device('a1', 'phone'), [kp('r1')]), 'conflict');
      await expectStoreError(upload(device('a2', 'laptop'), [kp('r1')]), 'conflict');
    });

    it('claims each device’s oldest one-time package, deleting it, and lists the devices oldest first', async () => {
      const [phone, laptop, tablet] = [device('a1', 'phone', 2000), device('a1', 'laptop', 1000), device('a1', 'tablet', 3000)];
      for (const d of [phone, laptop, tablet]) await register(d);
      // Uploaded in this order: "oldest" is the first stored, whatever the refs.
      await upload(laptop, [kp('l-b')]);
      await upload(laptop, [kp('l-a')]);
      await upload(phone, [kp('p-1')], { lastResort: kp('p-last') });
      expect(await claim('a1')).toEqual({
        packages: [
          { deviceId: 'laptop', data: 'data-l-b' },
          { deviceId: 'phone', data: 'data-p-1' },
        ],
        missing: ['tablet'],
      });
      expect(await store.e2e.keyPackageCount('a1', 'laptop')).toBe(1);
      expect(await store.e2e.keyPackageCount('a1', 'phone')).toBe(0);
      expect((await claim('a1')).packages).toEqual([
        { deviceId: 'laptop', data: 'data-l-a' },
        { deviceId: 'phone', data: 'data-p-last' },
      ]);
      expect(await claim('a1')).toEqual({ packages: [{ deviceId: 'phone', data: 'data-p-last' }], missing: ['laptop', 'tablet'] });
      expect(await claim('nobody')).toEqual({ packages: [], missing: [] });
    });

    it('skips expired packages, deleting them, and falls back to an unexpired last resort, which it keeps', async () => {
      const [laptop, phone] = [device('a1', 'laptop', 1000), device('a1', 'phone', 2000)];
      await register(laptop);
      await register(phone);
      const soon = Date.now() + 60_000;
      await upload(laptop, [kp('expiring', soon), kp('fresh')]);
      await upload(phone, [kp('p-expiring', soon)], { lastResort: kp('p-last') });
      expect(await upload(phone, [], { lastResort: kp('p-last-2', soon) })).toEqual({ stored: 0, count: 1 });
      const afterExpiry = soon + 1;
      // The laptop's expiring package was the older one; the phone's only last resort is expired too.
      expect(await claim('a1', afterExpiry)).toEqual({ packages: [{ deviceId: 'laptop', data: 'data-fresh' }], missing: ['phone'] });
      expect(await store.e2e.keyPackageCount('a1', 'phone')).toBe(0);
      await upload(phone, [], { lastResort: kp('p-last-3') });
      for (let i = 0; i < 2; i++) {
        expect(await claim('a1', afterExpiry)).toEqual({ packages: [{ deviceId: 'phone', data: 'data-p-last-3' }], missing: ['laptop'] });
      }
    });

    it('replaces a device’s last-resort package', async () => {
      const laptop = device('a1', 'laptop');
      await register(laptop);
      await upload(laptop, [], { lastResort: kp('first') });
      await upload(laptop, [], { lastResort: kp('second') });
      expect((await claim('a1')).packages).toEqual([{ deviceId: 'laptop', data: 'data-second' }]);
      expect(await store.e2e.keyPackageCount('a1', 'laptop')).toBe(0);
    });

    it('hands a single one-time package to one of two concurrent claims; the other gets the last resort or nothing', async () => {
      const [laptop, phone] = [device('a1', 'laptop', 1000), device('a1', 'phone', 2000)];
      await register(laptop);
      await register(phone);
      await upload(laptop, [kp('only')], { lastResort: kp('last') });
      await upload(phone, [kp('p-only')]);
      const results = await Promise.all([claim('a1'), claim('a1')]);
      const laptopGot = results.map((r) => r.packages.find((p) => p.deviceId === 'laptop')?.data).sort();
      expect(laptopGot).toEqual(['data-last', 'data-only']);
      const phoneGot = results.map((r) => r.packages.find((p) => p.deviceId === 'phone')?.data ?? 'missing').sort();
      expect(phoneGot).toEqual(['data-p-only', 'missing']);
      expect(results.map((r) => r.missing).flat()).toEqual(['phone']);
    });

    it('gives two concurrent claims two different one-time packages of a device that has two', async () => {
      const laptop = device('a1', 'laptop');
      await register(laptop);
      await upload(laptop, [kp('k1'), kp('k2')], { lastResort: kp('last') });
      const results = await Promise.all([claim('a1'), claim('a1')]);
      expect(results.map((r) => r.packages[0]?.data).sort()).toEqual(['data-k1', 'data-k2']);
      expect(await store.e2e.keyPackageCount('a1', 'laptop')).toBe(0);
    });
  });

  describeE2eGroupConformance(current);
}
