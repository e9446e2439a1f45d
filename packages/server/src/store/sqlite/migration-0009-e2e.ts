import { sql, type Kysely, type Migration } from 'kysely';

/**
 * End-to-end encryption's Delivery Service (store/e2e-store.ts): public keys, KeyPackages,
 * each conversation's MLS group and the Welcomes waiting for devices. Key and MLS values are
 * the base64url text the wire carries. User ids are the server's ("a<id>" or a guest's), so
 * there is no foreign key to accounts: a guest has rows too.
 */
export const e2eMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('e2e_identities')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('identity_key', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('e2e_devices')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('certificate', 'text', (c) => c.notNull())
      .addColumn('device_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('e2e_devices_pk', ['user_id', 'device_id'])
      .execute();
    // A device's packages go with it (the cascade), so a removed device's can never be claimed.
    // Claims take the oldest by rowid, which is insertion order.
    await db.schema
      .createTable('e2e_key_packages')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('not_after', 'integer', (c) => c.notNull())
      .addColumn('last_resort', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('e2e_key_packages_pk', ['user_id', 'device_id', 'ref'])
      .addForeignKeyConstraint('e2e_key_packages_device', ['user_id', 'device_id'], 'e2e_devices', ['user_id', 'device_id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await db.schema.createIndex('e2e_key_packages_last_resort').on('e2e_key_packages').columns(['user_id', 'device_id']).unique().where(sql.ref('last_resort'), '=', 1).execute();

    await db.schema
      .createTable('e2e_groups')
      .addColumn('group_id', 'text', (c) => c.primaryKey())
      .addColumn('conv', 'text', (c) => c.notNull().unique())
      .addColumn('epoch', 'integer', (c) => c.notNull())
      .addColumn('tree', 'text', (c) => c.notNull())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .execute();
    // Members and Welcomes go with their group. Neither references e2e_devices: a commit must
    // not fail because one of the devices it adds was removed meanwhile.
    await db.schema
      .createTable('e2e_group_members')
      .addColumn('group_id', 'text', (c) => c.notNull().references('e2e_groups.group_id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('e2e_group_members_pk', ['group_id', 'user_id', 'device_id'])
      .execute();
    await db.schema.createIndex('e2e_group_members_user').on('e2e_group_members').columns(['user_id', 'device_id']).execute();
    await db.schema
      .createTable('e2e_welcomes')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull().references('e2e_groups.group_id').onDelete('cascade'))
      .addColumn('conv', 'text', (c) => c.notNull())
      .addColumn('epoch', 'integer', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('welcome', 'text', (c) => c.notNull())
      .addColumn('tree', 'text', (c) => c.notNull())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('e2e_welcomes_pk', ['user_id', 'device_id', 'group_id'])
      .execute();
    // Needed by the cascade from e2e_groups; without it every deleted group scans the Welcomes.
    await db.schema.createIndex('e2e_welcomes_group').on('e2e_welcomes').column('group_id').execute();
  },
};
