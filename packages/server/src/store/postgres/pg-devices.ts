import type { Selectable } from 'kysely';
import type { DeviceRecord, DeviceStore, NewDevice } from '../store.ts';
import type { PgContext } from './pg-context.ts';
import type { PgSchema } from './pg-rows.ts';

type DeviceRow = Selectable<PgSchema['devices']> & { account_name: string };

function toDevice(row: DeviceRow): DeviceRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    accountName: row.account_name,
    label: row.label,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    lastAddress: row.last_address,
  };
}

/** Device credentials on PostgreSQL; ids come from an identity column, never reused. */
export class PgDevices implements DeviceStore {
  constructor(private readonly ctx: PgContext) {}

  create(device: NewDevice): Promise<DeviceRecord> {
    return this.ctx.run(
      'storing a device',
      async (db) => {
        // One statement: the insert and the account's name (a missing account fails the
        // foreign key, which is 'failed', not 'conflict').
        const row = await db
          .with('d', (w) =>
            w
              .insertInto('devices')
              .values({
                account_id: device.accountId,
                label: device.label,
                token_hash: device.tokenHash,
                created_at: device.at,
                last_used_at: device.at,
                last_address: device.address,
              })
              .returningAll(),
          )
          .selectFrom('d')
          .innerJoin('accounts', 'accounts.id', 'd.account_id')
          .selectAll('d')
          .select('accounts.name as account_name')
          .executeTakeFirstOrThrow();
        return toDevice(row);
      },
      true,
    );
  }

  /** Every read joins the account, whose name listings and audit lines show. */
  #select() {
    return this.ctx.db.selectFrom('devices').innerJoin('accounts', 'accounts.id', 'devices.account_id').selectAll('devices').select('accounts.name as account_name');
  }

  listFor(accountId: number): Promise<DeviceRecord[]> {
    return this.ctx.run('listing devices', async () => {
      const rows = await this.#select().where('devices.account_id', '=', accountId).orderBy('devices.id').execute();
      return rows.map(toDevice);
    });
  }

  find(id: number): Promise<DeviceRecord | undefined> {
    return this.ctx.run('finding a device', async () => {
      const row = await this.#select().where('devices.id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toDevice(row);
    });
  }

  touch(id: number, use: { at: number; address: string }): Promise<boolean> {
    return this.ctx.run('recording a device sign-in', async (db) => {
      const result = await db.updateTable('devices').set({ last_used_at: use.at, last_address: use.address }).where('id', '=', id).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    });
  }

  remove(id: number): Promise<boolean> {
    return this.ctx.run('removing a device', async (db) => {
      const result = await db.deleteFrom('devices').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }
}
