import type { Kysely, Selectable } from 'kysely';
import type { AccountKeyRecord, AccountKeyStore } from '../store.ts';
import type { StoreRunner } from './sqlite-parts.ts';
import type { SqliteSchema } from './sqlite-rows.ts';

type KeyRow = Selectable<SqliteSchema['account_keys']> & { account_name: string };

function toKey(row: KeyRow): AccountKeyRecord {
  return { key: row.key, accountId: row.account_id, accountName: row.account_name, label: row.label, createdAt: row.created_at, lastUsedAt: row.last_used_at };
}

/** The login keys part of the SQLite store, on Kysely's typed schema. */
export class SqliteAccountKeys implements AccountKeyStore {
  constructor(
    private readonly db: Kysely<SqliteSchema>,
    private readonly run: StoreRunner,
  ) {}

  private select() {
    return this.db.selectFrom('account_keys').innerJoin('accounts', 'accounts.id', 'account_keys.account_id').selectAll('account_keys').select('accounts.name as account_name');
  }

  add(input: { accountId: number; key: string; label: string; at: number }): Promise<AccountKeyRecord> {
    return this.run(
      'storing a login key',
      async () => {
        await this.db
          .insertInto('account_keys')
          .values({ key: input.key, account_id: input.accountId, label: input.label, created_at: input.at, last_used_at: input.at })
          .execute();
        return toKey(await this.select().where('account_keys.key', '=', input.key).executeTakeFirstOrThrow());
      },
      true,
    );
  }

  listFor(accountId: number): Promise<AccountKeyRecord[]> {
    return this.run('listing login keys', async () => (await this.select().where('account_keys.account_id', '=', accountId).orderBy('account_keys.created_at').orderBy('account_keys.key').execute()).map(toKey));
  }

  find(key: string): Promise<AccountKeyRecord | undefined> {
    return this.run('finding a login key', async () => {
      const row = await this.select().where('account_keys.key', '=', key).executeTakeFirst();
      return row === undefined ? undefined : toKey(row);
    });
  }

  touch(key: string, at: number): Promise<boolean> {
    return this.run('recording a key login', async () => (await this.db.updateTable('account_keys').set({ last_used_at: at }).where('key', '=', key).executeTakeFirst()).numUpdatedRows > 0n);
  }

  remove(accountId: number, key: string): Promise<boolean> {
    return this.run('removing a login key', async () => (await this.db.deleteFrom('account_keys').where('key', '=', key).where('account_id', '=', accountId).executeTakeFirst()).numDeletedRows > 0n);
  }
}
