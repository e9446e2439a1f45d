import type { Selectable } from 'kysely';
import type { AccountKeyRecord, AccountKeyStore } from '../store.ts';
import type { PgContext } from './pg-context.ts';
import type { PgSchema } from './pg-rows.ts';

type KeyRow = Selectable<PgSchema['account_keys']> & { account_name: string };

function toKey(row: KeyRow): AccountKeyRecord {
  return { key: row.key, accountId: row.account_id, accountName: row.account_name, label: row.label, createdAt: row.created_at, lastUsedAt: row.last_used_at };
}

/** Login keys on PostgreSQL; the key is the primary key, so one key is one account's. */
export class PgAccountKeys implements AccountKeyStore {
  constructor(private readonly ctx: PgContext) {}

  #select() {
    return this.ctx.db.selectFrom('account_keys').innerJoin('accounts', 'accounts.id', 'account_keys.account_id').selectAll('account_keys').select('accounts.name as account_name');
  }

  add(input: { accountId: number; key: string; label: string; at: number }): Promise<AccountKeyRecord> {
    return this.ctx.run(
      'storing a login key',
      async (db) => {
        const row = await db
          .with('k', (w) =>
            w.insertInto('account_keys').values({ key: input.key, account_id: input.accountId, label: input.label, created_at: input.at, last_used_at: input.at }).returningAll(),
          )
          .selectFrom('k')
          .innerJoin('accounts', 'accounts.id', 'k.account_id')
          .selectAll('k')
          .select('accounts.name as account_name')
          .executeTakeFirstOrThrow();
        return toKey(row);
      },
      true,
    );
  }

  listFor(accountId: number): Promise<AccountKeyRecord[]> {
    return this.ctx.run('listing login keys', async () => (await this.#select().where('account_keys.account_id', '=', accountId).orderBy('account_keys.created_at').orderBy('account_keys.key').execute()).map(toKey));
  }

  find(key: string): Promise<AccountKeyRecord | undefined> {
    return this.ctx.run('finding a login key', async () => {
      const row = await this.#select().where('account_keys.key', '=', key).executeTakeFirst();
      return row === undefined ? undefined : toKey(row);
    });
  }

  touch(key: string, at: number): Promise<boolean> {
    return this.ctx.run('recording a key login', async (db) => (await db.updateTable('account_keys').set({ last_used_at: at }).where('key', '=', key).executeTakeFirst()).numUpdatedRows > 0n);
  }

  remove(accountId: number, key: string): Promise<boolean> {
    return this.ctx.run('removing a login key', async (db) => (await db.deleteFrom('account_keys').where('key', '=', key).where('account_id', '=', accountId).executeTakeFirst()).numDeletedRows > 0n);
  }
}
