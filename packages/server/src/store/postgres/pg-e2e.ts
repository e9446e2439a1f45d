import { sql, type Kysely, type Selectable } from 'kysely';
import type { E2eDeviceRecord, E2eStore, KeyPackageRecord } from '../store.ts';
import { StoreError } from '../store.ts';
import { PgE2eGroups } from './pg-e2e-groups.ts';
import type { PgSchema } from './pg-rows.ts';

function toDevice(row: Selectable<PgSchema['e2e_devices']>): E2eDeviceRecord {
  return { userId: row.user_id, deviceId: row.device_id, certificate: row.certificate, deviceKey: row.device_key, createdAt: row.created_at };
}

type Registration = { identityKey: string; device: E2eDeviceRecord; replace: boolean; maxDevices: number };
type Upload = { userId: string; deviceId: string; packages: readonly KeyPackageRecord[]; lastResort?: KeyPackageRecord; max: number };

/**
 * The user's identity row is the lock every registration of the user takes first (the insert
 * of a new one, or FOR UPDATE), so the identity check and the device cap hold across nodes;
 * forgetUser takes it first too, so the two cannot deadlock.
 */
async function registerIn(trx: Kysely<PgSchema>, input: Registration): Promise<{ first: boolean }> {
  const { userId, deviceId, certificate, deviceKey, createdAt } = input.device;
  const identity = { identity_key: input.identityKey, updated_at: createdAt };
  const inserted = await trx
    .insertInto('e2e_identities')
    .values({ user_id: userId, ...identity })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .returning('user_id')
    .executeTakeFirst();
  let first = inserted !== undefined;
  if (!first) {
    const current = await trx.selectFrom('e2e_identities').select('identity_key').where('user_id', '=', userId).forUpdate().executeTakeFirst();
    if (current === undefined) throw new StoreError('conflict', `the identity of ${userId} was removed meanwhile`);
    if (current.identity_key !== input.identityKey) {
      if (!input.replace) throw new StoreError('conflict', `${userId} has another identity key`);
      // Every device was certified by the old key, the one registering included.
      await trx.updateTable('e2e_identities').set(identity).where('user_id', '=', userId).execute();
      await trx.deleteFrom('e2e_welcomes').where('user_id', '=', userId).execute();
      await trx.deleteFrom('e2e_devices').where('user_id', '=', userId).execute();
      first = true;
    }
  }
  const known = await trx.selectFrom('e2e_devices').select('device_id').where('user_id', '=', userId).where('device_id', '=', deviceId).executeTakeFirst();
  if (known === undefined) {
    const { n } = await trx.selectFrom('e2e_devices').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
    if (Number(n) + 1 > input.maxDevices) throw new StoreError('conflict', `${userId} has ${n} devices, the most allowed`);
  }
  await trx
    .insertInto('e2e_devices')
    .values({ user_id: userId, device_id: deviceId, certificate, device_key: deviceKey, created_at: createdAt })
    .onConflict((oc) => oc.columns(['user_id', 'device_id']).doUpdateSet({ certificate, device_key: deviceKey }))
    .execute();
  return { first };
}

async function countIn(db: Kysely<PgSchema>, device: { userId: string; deviceId: string }, now: number): Promise<number> {
  const row = await db
    .selectFrom('e2e_key_packages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', device.userId)
    .where('device_id', '=', device.deviceId)
    .where('last_resort', '=', false)
    .where('not_after', '>=', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The device's row, FOR UPDATE, serializes uploads of one device so the cap holds. Expired
 * packages are dropped first: a device whose packages all expired unclaimed must be able to
 * upload new ones, and only unexpired ones count against `max`.
 */
async function uploadIn(trx: Kysely<PgSchema>, input: Upload, now: number): Promise<{ stored: number; count: number }> {
  const ofDevice = { userId: input.userId, deviceId: input.deviceId };
  const device = await trx.selectFrom('e2e_devices').select('device_id').where('user_id', '=', input.userId).where('device_id', '=', input.deviceId).forUpdate().executeTakeFirst();
  if (device === undefined) throw new StoreError('conflict', `there is no e2e device ${input.deviceId} of ${input.userId}`);
  const packages = () => trx.deleteFrom('e2e_key_packages').where('user_id', '=', input.userId).where('device_id', '=', input.deviceId);
  await packages().where('last_resort', '=', false).where('not_after', '<', now).execute();
  const stored = await trx.selectFrom('e2e_key_packages').select(['ref', 'last_resort']).where('user_id', '=', input.userId).where('device_id', '=', input.deviceId).execute();
  const known = new Set(stored.map((r) => r.ref));
  const fresh = new Map<string, KeyPackageRecord>();
  for (const p of input.packages) if (!known.has(p.ref) && p.ref !== input.lastResort?.ref) fresh.set(p.ref, p);
  const kept = stored.filter((r) => !r.last_resort).length;
  if (kept + fresh.size > input.max) throw new StoreError('conflict', `the device would keep more than ${input.max} key packages`);

  const row = (p: KeyPackageRecord, lastResort: boolean) => ({ user_id: input.userId, device_id: input.deviceId, ref: p.ref, data: p.data, not_after: p.notAfter, last_resort: lastResort, created_at: now });
  if (fresh.size > 0) await trx.insertInto('e2e_key_packages').values([...fresh.values()].map((p) => row(p, false))).execute();
  const last = input.lastResort;
  if (last !== undefined) {
    await packages().where('last_resort', '=', true).execute();
    await trx
      .insertInto('e2e_key_packages')
      .values(row(last, true))
      .onConflict((oc) => oc.columns(['user_id', 'device_id', 'ref']).doUpdateSet({ data: last.data, not_after: last.notAfter, last_resort: true, created_at: now }))
      .execute();
  }
  return { stored: fresh.size, count: await countIn(trx, ofDevice, now) };
}

/**
 * SKIP LOCKED is what keeps two claimers apart: each takes the oldest package of a device that
 * no other transaction holds, so a package is handed out once and a second claimer moves on to
 * the next one (or the last resort) instead of waiting.
 */
async function claimIn(trx: Kysely<PgSchema>, who: { userId: string; deviceIds: readonly string[] | undefined }, now: number): Promise<{ packages: { deviceId: string; data: string }[]; missing: string[] }> {
  await sql`
    DELETE FROM e2e_key_packages WHERE (user_id, device_id, ref) IN (
      SELECT user_id, device_id, ref FROM e2e_key_packages
      WHERE user_id = ${who.userId} AND NOT last_resort AND not_after < ${now}
      FOR UPDATE SKIP LOCKED)
  `.execute(trx);
  const { userId, deviceIds } = who;
  const all = await trx.selectFrom('e2e_devices').select('device_id').where('user_id', '=', userId).orderBy('created_at').orderBy('device_id').execute();
  const devices = deviceIds ? all.filter((d) => deviceIds.includes(d.device_id)) : all;
  const only = devices.map((d) => d.device_id);
  const claimed = await sql<{ device_id: string; data: string }>`
    DELETE FROM e2e_key_packages k USING (
      SELECT p.user_id, p.device_id, p.ref FROM e2e_devices d CROSS JOIN LATERAL (
        SELECT user_id, device_id, ref FROM e2e_key_packages
        WHERE user_id = d.user_id AND device_id = d.device_id AND NOT last_resort AND not_after >= ${now}
        ORDER BY id LIMIT 1
        FOR UPDATE SKIP LOCKED) p
      WHERE d.user_id = ${userId} AND d.device_id = ANY(${only})) c
    WHERE k.user_id = c.user_id AND k.device_id = c.device_id AND k.ref = c.ref
    RETURNING k.device_id, k.data
  `.execute(trx);
  const lastResorts = await trx.selectFrom('e2e_key_packages').select(['device_id', 'data']).where('user_id', '=', userId).where('last_resort', '=', true).where('not_after', '>=', now).execute();
  const oneTime = new Map(claimed.rows.map((r) => [r.device_id, r.data]));
  const fallback = new Map(lastResorts.map((r) => [r.device_id, r.data]));
  const packages: { deviceId: string; data: string }[] = [];
  const missing: string[] = [];
  for (const { device_id: deviceId } of devices) {
    const data = oneTime.get(deviceId) ?? fallback.get(deviceId);
    if (data === undefined) missing.push(deviceId);
    else packages.push({ deviceId, data });
  }
  return { packages, missing };
}

/**
 * The end-to-end encryption part of the PostgreSQL store: identity keys, devices and
 * KeyPackages here, groups and Welcomes in pg-e2e-groups.ts. A device's KeyPackages go with
 * its row (the cascade); its Welcomes are deleted beside it.
 */
export class PgE2e extends PgE2eGroups implements E2eStore {
  identity(userId: string): Promise<string | undefined> {
    return this.ctx.run('reading an identity key', async (db) => (await db.selectFrom('e2e_identities').select('identity_key').where('user_id', '=', userId).executeTakeFirst())?.identity_key);
  }

  registerDevice(input: Registration): Promise<{ first: boolean }> {
    return this.ctx.run('registering an e2e device', (db) => db.transaction().execute((trx) => registerIn(trx, input)));
  }

  devices(userId: string): Promise<E2eDeviceRecord[]> {
    return this.ctx.run('listing e2e devices', async (db) => {
      const rows = await db.selectFrom('e2e_devices').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('device_id').execute();
      return rows.map(toDevice);
    });
  }

  removeDevice(userId: string, deviceId: string): Promise<boolean> {
    return this.ctx.run('removing an e2e device', (db) =>
      db.transaction().execute(async (trx) => {
        await trx.deleteFrom('e2e_welcomes').where('user_id', '=', userId).where('device_id', '=', deviceId).execute();
        const removed = await trx.deleteFrom('e2e_devices').where('user_id', '=', userId).where('device_id', '=', deviceId).executeTakeFirst();
        return removed.numDeletedRows > 0n;
      }),
    );
  }

  addKeyPackages(input: Upload): Promise<{ stored: number; count: number }> {
    return this.ctx.run('storing key packages', (db) => db.transaction().execute((trx) => uploadIn(trx, input, Date.now())));
  }

  /** Unexpired ones only, as addKeyPackages counts them. */
  keyPackageCount(userId: string, deviceId: string): Promise<number> {
    return this.ctx.run('counting key packages', (db) => countIn(db, { userId, deviceId }, Date.now()));
  }

  claimKeyPackages(userId: string, now: number, deviceIds?: readonly string[]): Promise<{ packages: { deviceId: string; data: string }[]; missing: string[] }> {
    return this.ctx.run('claiming key packages', (db) => db.transaction().execute((trx) => claimIn(trx, { userId, deviceIds }, now)));
  }

  /** The identity first, the lock registerDevice takes first; KeyPackages go with the devices. */
  forgetUser(userId: string): Promise<void> {
    return this.ctx.run('forgetting the e2e rows of a user', (db) =>
      db.transaction().execute(async (trx) => {
        await trx.deleteFrom('e2e_identities').where('user_id', '=', userId).execute();
        await trx.deleteFrom('e2e_welcomes').where('user_id', '=', userId).execute();
        await trx.deleteFrom('e2e_group_members').where('user_id', '=', userId).execute();
        await trx.deleteFrom('e2e_devices').where('user_id', '=', userId).execute();
      }),
    );
  }
}
