import type { Kysely, Migration } from 'kysely';

/**
 * Device credentials: a device that stays signed in to an account. Only the SHA-256 of its
 * token is kept (the token is 32 random bytes, so a fast hash is enough: there is nothing to
 * guess). The end-to-end encryption work adds the device's public key as a column of this
 * table, so one record stays one device however it proves itself. Like every migration it
 * takes Kysely<any> and describes the schema as it was when written.
 */
export const devicesMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    // AUTOINCREMENT: a revoked id is never handed out again, so a stale "REVOKE 7" cannot hit
    // someone's new device.
    await db.schema
      .createTable('devices')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('last_used_at', 'integer', (c) => c.notNull())
      .addColumn('last_address', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('devices_account').on('devices').column('account_id').execute();
  },
};
