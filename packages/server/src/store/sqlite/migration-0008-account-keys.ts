import type { Kysely, Migration } from 'kysely';

/**
 * Public keys that log in to accounts (commands/key-login.ts): the raw Ed25519 key in base64url
 * is the primary key, so a key belongs to one account. An account made with a key alone has an
 * empty password hash, which no password matches.
 */
export const accountKeysMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('account_keys')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('last_used_at', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('account_keys_account').on('account_keys').column('account_id').execute();
  },
};
