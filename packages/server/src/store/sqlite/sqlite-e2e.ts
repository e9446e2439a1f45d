import { sql, type Selectable } from 'kysely';
import type { E2eDeviceRecord, E2eStore, KeyPackageRecord } from '../store.ts';
import { StoreError } from '../store.ts';
import { SqliteE2eGroups } from './sqlite-e2e-groups.ts';
import type { SqliteSchema } from './sqlite-rows.ts';
import { firstSync, oneSync, rowsSync, runSync } from './sqlite-sync.ts';

function toDevice(row: Selectable<SqliteSchema['e2e_devices']>): E2eDeviceRecord {
  return { userId: row.user_id, deviceId: row.device_id, certificate: row.certificate, deviceKey: row.device_key, createdAt: row.created_at };
}

// rowid is insertion order: "oldest" whatever the clock did between uploads.
const insertionOrder = sql<number>`rowid`;

/**
 * The end-to-end encryption part of the SQLite store: identity keys, devices and KeyPackages
 * here, groups and Welcomes in sqlite-e2e-groups.ts. A device's KeyPackages go with its row
 * (the cascade); its Welcomes are deleted beside it.
 */
export class SqliteE2e extends SqliteE2eGroups implements E2eStore {
  identity(userId: string): Promise<string | undefined> {
    return this.run('reading an identity key', async () => {
      const row = await this.db.selectFrom('e2e_identities').select('identity_key').where('user_id', '=', userId).executeTakeFirst();
      return row?.identity_key;
    });
  }

  registerDevice(input: { identityKey: string; device: E2eDeviceRecord; replace: boolean; maxDevices: number }): Promise<{ first: boolean }> {
    return this.run('registering an e2e device', async () => this.sqlite.transaction(() => this.registerSync(input)).immediate());
  }

  private registerSync(input: { identityKey: string; device: E2eDeviceRecord; replace: boolean; maxDevices: number }): { first: boolean } {
    const { sqlite, db } = this;
    const { userId, deviceId } = input.device;
    const identity = { identity_key: input.identityKey, updated_at: input.device.createdAt };
    const current = firstSync(sqlite, db.selectFrom('e2e_identities').select('identity_key').where('user_id', '=', userId));
    let first = current === undefined;
    if (current === undefined) {
      runSync(sqlite, db.insertInto('e2e_identities').values({ user_id: userId, ...identity }));
    } else if (current.identity_key !== input.identityKey) {
      if (!input.replace) throw new StoreError('conflict', `${userId} has another identity key`);
      // Every device was certified by the old key, the one registering included.
      runSync(sqlite, db.updateTable('e2e_identities').set(identity).where('user_id', '=', userId));
      runSync(sqlite, db.deleteFrom('e2e_welcomes').where('user_id', '=', userId));
      runSync(sqlite, db.deleteFrom('e2e_devices').where('user_id', '=', userId));
      first = true;
    }
    const known = firstSync(sqlite, db.selectFrom('e2e_devices').select('device_id').where('user_id', '=', userId).where('device_id', '=', deviceId));
    if (known === undefined) {
      const { n } = oneSync(sqlite, db.selectFrom('e2e_devices').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId));
      if (n + 1 > input.maxDevices) throw new StoreError('conflict', `${userId} has ${n} devices, the most allowed`);
    }
    const d = input.device;
    runSync(
      sqlite,
      db
        .insertInto('e2e_devices')
        .values({ user_id: userId, device_id: deviceId, certificate: d.certificate, device_key: d.deviceKey, created_at: d.createdAt })
        .onConflict((oc) => oc.columns(['user_id', 'device_id']).doUpdateSet({ certificate: d.certificate, device_key: d.deviceKey })),
    );
    return { first };
  }

  devices(userId: string): Promise<E2eDeviceRecord[]> {
    return this.run('listing e2e devices', async () => {
      const rows = await this.db.selectFrom('e2e_devices').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('device_id').execute();
      return rows.map(toDevice);
    });
  }

  removeDevice(userId: string, deviceId: string): Promise<boolean> {
    const { sqlite, db } = this;
    return this.run('removing an e2e device', async () =>
      sqlite
        .transaction(() => {
          runSync(sqlite, db.deleteFrom('e2e_welcomes').where('user_id', '=', userId).where('device_id', '=', deviceId));
          return runSync(sqlite, db.deleteFrom('e2e_devices').where('user_id', '=', userId).where('device_id', '=', deviceId)) > 0;
        })
        .immediate(),
    );
  }

  addKeyPackages(input: { userId: string; deviceId: string; packages: readonly KeyPackageRecord[]; lastResort?: KeyPackageRecord; max: number }): Promise<{ stored: number; count: number }> {
    return this.run('storing key packages', async () => this.sqlite.transaction(() => this.addSync(input, Date.now())).immediate());
  }

  /**
   * Expired packages are dropped first: a device whose packages all expired unclaimed must be
   * able to upload new ones, and only unexpired ones count against `max`.
   */
  private addSync(input: { userId: string; deviceId: string; packages: readonly KeyPackageRecord[]; lastResort?: KeyPackageRecord; max: number }, now: number): { stored: number; count: number } {
    const { sqlite, db } = this;
    const device = firstSync(sqlite, db.selectFrom('e2e_devices').select('device_id').where('user_id', '=', input.userId).where('device_id', '=', input.deviceId));
    if (device === undefined) throw new StoreError('conflict', `there is no e2e device ${input.deviceId} of ${input.userId}`);
    runSync(sqlite, db.deleteFrom('e2e_key_packages').where('user_id', '=', input.userId).where('device_id', '=', input.deviceId).where('last_resort', '=', 0).where('not_after', '<', now));
    const stored = rowsSync(sqlite, db.selectFrom('e2e_key_packages').select(['ref', 'last_resort']).where('user_id', '=', input.userId).where('device_id', '=', input.deviceId));
    const known = new Set(stored.map((r) => r.ref));
    const fresh = new Map<string, KeyPackageRecord>();
    for (const p of input.packages) if (!known.has(p.ref) && p.ref !== input.lastResort?.ref) fresh.set(p.ref, p);
    const kept = stored.filter((r) => r.last_resort === 0).length;
    if (kept + fresh.size > input.max) throw new StoreError('conflict', `the device would keep more than ${input.max} key packages`);

    const row = (p: KeyPackageRecord, lastResort: number) => ({ user_id: input.userId, device_id: input.deviceId, ref: p.ref, data: p.data, not_after: p.notAfter, last_resort: lastResort, created_at: now });
    if (fresh.size > 0) runSync(sqlite, db.insertInto('e2e_key_packages').values([...fresh.values()].map((p) => row(p, 0))));
    const last = input.lastResort;
    if (last !== undefined) {
      runSync(sqlite, db.deleteFrom('e2e_key_packages').where('user_id', '=', input.userId).where('device_id', '=', input.deviceId).where('last_resort', '=', 1));
      runSync(
        sqlite,
        db
          .insertInto('e2e_key_packages')
          .values(row(last, 1))
          .onConflict((oc) => oc.columns(['user_id', 'device_id', 'ref']).doUpdateSet({ data: last.data, not_after: last.notAfter, last_resort: 1, created_at: now })),
      );
    }
    return { stored: fresh.size, count: this.countSync(input, now) };
  }

  private countSync(device: { userId: string; deviceId: string }, now: number): number {
    const query = this.db
      .selectFrom('e2e_key_packages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', device.userId)
      .where('device_id', '=', device.deviceId)
      .where('last_resort', '=', 0)
      .where('not_after', '>=', now);
    return oneSync(this.sqlite, query).n;
  }

  /** Unexpired ones only, as addKeyPackages counts them. */
  keyPackageCount(userId: string, deviceId: string): Promise<number> {
    return this.run('counting key packages', async () => this.countSync({ userId, deviceId }, Date.now()));
  }

  /** IMMEDIATE holds the write lock from the first read, so two claims cannot take one package. */
  claimKeyPackages(userId: string, now: number, deviceIds?: readonly string[]): Promise<{ packages: { deviceId: string; data: string }[]; missing: string[] }> {
    const { sqlite, db } = this;
    return this.run('claiming key packages', async () =>
      sqlite
        .transaction(() => {
          runSync(sqlite, db.deleteFrom('e2e_key_packages').where('user_id', '=', userId).where('last_resort', '=', 0).where('not_after', '<', now));
          const devices = rowsSync(sqlite, db.selectFrom('e2e_devices').select('device_id').where('user_id', '=', userId).orderBy('created_at').orderBy('device_id'));
          const packages: { deviceId: string; data: string }[] = [];
          const missing: string[] = [];
          for (const { device_id: deviceId } of devices) {
            if (deviceIds && !deviceIds.includes(deviceId)) continue;
            const ofDevice = db.selectFrom('e2e_key_packages').select(['ref', 'data']).where('user_id', '=', userId).where('device_id', '=', deviceId).where('not_after', '>=', now);
            const oneTime = firstSync(sqlite, ofDevice.where('last_resort', '=', 0).orderBy(insertionOrder).limit(1));
            if (oneTime !== undefined) {
              runSync(sqlite, db.deleteFrom('e2e_key_packages').where('user_id', '=', userId).where('device_id', '=', deviceId).where('ref', '=', oneTime.ref));
              packages.push({ deviceId, data: oneTime.data });
              continue;
            }
            const lastResort = firstSync(sqlite, ofDevice.where('last_resort', '=', 1));
            if (lastResort === undefined) missing.push(deviceId);
            else packages.push({ deviceId, data: lastResort.data });
          }
          return { packages, missing };
        })
        .immediate(),
    );
  }

  /** Its KeyPackages go with its devices (the cascade). */
  forgetUser(userId: string): Promise<void> {
    const { sqlite, db } = this;
    return this.run('forgetting the e2e rows of a user', async () => {
      sqlite
        .transaction(() => {
          runSync(sqlite, db.deleteFrom('e2e_welcomes').where('user_id', '=', userId));
          runSync(sqlite, db.deleteFrom('e2e_group_members').where('user_id', '=', userId));
          runSync(sqlite, db.deleteFrom('e2e_devices').where('user_id', '=', userId));
          runSync(sqlite, db.deleteFrom('e2e_identities').where('user_id', '=', userId));
        })
        .immediate();
    });
  }
}
