import type { Kysely, Selectable } from 'kysely';
import type { DeviceRecord, DeviceStore, NewDevice } from '../store.ts';
import type { StoreRunner } from './sqlite-parts.ts';
import type { SqliteSchema } from './sqlite-rows.ts';

type DeviceRow = Selectable<SqliteSchema['devices']> & { account_name: string };

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

/** The device credentials part of the SQLite store, on Kysely's typed schema. */
export class SqliteDevices implements DeviceStore {
  constructor(
    private readonly db: Kysely<SqliteSchema>,
    private readonly run: StoreRunner,
  ) {}

  /** Every read joins the account, whose name listings and audit lines show. */
  private select() {
    return this.db
      .selectFrom('devices')
      .innerJoin('accounts', 'accounts.id', 'devices.account_id')
      .selectAll('devices')
      .select('accounts.name as account_name');
  }

  create(device: NewDevice): Promise<DeviceRecord> {
    return this.run(
      'storing a device',
      async () => {
        const { id } = await this.db
          .insertInto('devices')
          .values({
            account_id: device.accountId,
            label: device.label,
            token_hash: device.tokenHash,
            created_at: device.at,
            last_used_at: device.at,
            last_address: device.address,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return toDevice(await this.select().where('devices.id', '=', id).executeTakeFirstOrThrow());
      },
      true,
    );
  }

  listFor(accountId: number): Promise<DeviceRecord[]> {
    return this.run('listing devices', async () => {
      const rows = await this.select().where('devices.account_id', '=', accountId).orderBy('devices.id').execute();
      return rows.map(toDevice);
    });
  }

  find(id: number): Promise<DeviceRecord | undefined> {
    return this.run('finding a device', async () => {
      const row = await this.select().where('devices.id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toDevice(row);
    });
  }

  touch(id: number, use: { at: number; address: string }): Promise<boolean> {
    return this.run('recording a device sign-in', async () => {
      const result = await this.db.updateTable('devices').set({ last_used_at: use.at, last_address: use.address }).where('id', '=', id).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    });
  }

  remove(id: number): Promise<boolean> {
    return this.run('removing a device', async () => {
      const result = await this.db.deleteFrom('devices').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }
}
