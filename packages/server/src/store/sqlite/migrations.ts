import {
  DEFAULT_MIGRATION_TABLE,
  Migrator,
  sql,
  type Kysely,
  type Migration,
  type MigrationProvider,
} from 'kysely';
import { StoreError } from '../store.ts';
import { moderationMigration } from './migration-0002-moderation.ts';
import { lookalikeKeysMigration } from './migration-0003-lookalike-keys.ts';
import { messageKindMigration } from './migration-0004-message-kind.ts';
import { dmParticipantsMigration } from './migration-0005-dm-participants.ts';
import { devicesMigration } from './migration-0006-devices.ts';
import { storeIdentityMigration } from './migration-0007-store-identity.ts';
import { accountKeysMigration } from './migration-0008-account-keys.ts';
import { e2eMigration } from './migration-0009-e2e.ts';
import { encryptedRoomsMigration } from './migration-0010-encrypted-rooms.ts';
import { federationMigration } from './migration-0011-federation.ts';
import { federatedWelcomesMigration } from './migration-0012-federated-welcomes.ts';
import { messageStateMigration } from './migration-0013-message-state.ts';
import { searchMigration } from './migration-0014-search.ts';
import type { SqliteSchema } from './sqlite-rows.ts';

/*
 * Migrations take Kysely<any>: they describe the schema as it was when they were written, so
 * they must not depend on the current SqliteSchema type. Never edit a released migration; add
 * a new one whose name sorts after the last (Kysely applies them in name order).
 */
const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('accounts')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('rooms')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('topic', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();

      // Cascades make deleteRoom a single statement that cannot leave orphaned memberships.
      await db.schema
        .createTable('room_members')
        .addColumn('room_key', 'text', (c) =>
          c.notNull().references('rooms.key').onDelete('cascade'),
        )
        .addColumn('account_id', 'integer', (c) =>
          c.notNull().references('accounts.id').onDelete('cascade'),
        )
        .addColumn('joined_at', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('room_members_pk', ['room_key', 'account_id'])
        .execute();
      await db.schema
        .createIndex('room_members_account')
        .on('room_members')
        .column('account_id')
        .execute();

      // Kept apart from messages so sequence numbers are never reused after retention
      // deletes the newest messages of a conversation.
      await db.schema
        .createTable('conversations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('last_seq', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('messages')
        .addColumn('conv', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('sender_id', 'text', (c) => c.notNull())
        .addColumn('sender_name', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('cmid', 'text')
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('messages_pk', ['conv', 'seq'])
        .execute();
      await db.schema
        .createIndex('messages_cmid')
        .on('messages')
        .columns(['conv', 'sender_id', 'cmid'])
        .unique()
        .where('cmid', 'is not', null)
        .execute();
      await db.schema
        .createIndex('messages_created_at')
        .on('messages')
        .column('created_at')
        .execute();

      // No foreign key to accounts on purpose: a stale account id in pendingFor must not fail
      // a whole batch of other people's messages. The cascade from messages makes retention
      // drop queued copies of expired messages too.
      await db.schema
        .createTable('pending')
        .addColumn('account_id', 'integer', (c) => c.notNull())
        .addColumn('conv', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('pending_pk', ['account_id', 'conv', 'seq'])
        .addForeignKeyConstraint('pending_message', ['conv', 'seq'], 'messages', ['conv', 'seq'], (fk) =>
          fk.onDelete('cascade'),
        )
        .execute();
      // Needed by the cascade above; without it every deleted message scans pending.
      await db.schema.createIndex('pending_message').on('pending').columns(['conv', 'seq']).execute();
    },
  },
  '0002_moderation': moderationMigration,
  '0003_lookalike_keys': lookalikeKeysMigration,
  '0004_message_kind': messageKindMigration,
  '0005_dm_participants': dmParticipantsMigration,
  '0006_devices': devicesMigration,
  '0007_store_identity': storeIdentityMigration,
  '0008_account_keys': accountKeysMigration,
  '0009_e2e': e2eMigration,
  '0010_encrypted_rooms': encryptedRoomsMigration,
  '0011_federation': federationMigration,
  '0012_federated_welcomes': federatedWelcomesMigration,
  '0013_message_state': messageStateMigration,
  '0014_search': searchMigration,
};

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};

/**
 * Brings the schema up to date and returns the names of the migrations it applied.
 *
 * The whole run happens inside one BEGIN IMMEDIATE: Kysely does not wrap SQLite migrations in
 * a transaction (its adapter reports no transactional DDL, although SQLite has it), and its
 * SQLite migration lock is a no-op, so this is what makes a failed migration leave no trace
 * and keeps two processes opening the same file from migrating at the same time.
 */
export async function migrateToLatest(db: Kysely<SqliteSchema>): Promise<string[]> {
  await sql`begin immediate`.execute(db);
  try {
    await refuseNewerSchema(db);
    let resultSet;
    try {
      resultSet = await new Migrator({ db, provider }).migrateToLatest();
    } catch (err) {
      resultSet = { error: err, results: undefined };
    }
    const { error, results } = resultSet;
    if (error !== undefined) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      const detail = error instanceof Error ? error.message : String(error);
      throw new StoreError(
        'failed',
        failed === undefined
          ? `database migration failed: ${detail}`
          : `database migration ${failed} failed: ${detail}`,
        { cause: error },
      );
    }
    await sql`commit`.execute(db);
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  } catch (err) {
    await sql`rollback`.execute(db).catch(() => undefined);
    throw err;
  }
}

/**
 * A database touched by a newer Parley may have a schema this code would misread or damage;
 * Kysely would only report "corrupted migrations", which tells the operator nothing useful.
 */
async function refuseNewerSchema(app: Kysely<SqliteSchema>): Promise<void> {
  // Kysely's own bookkeeping table, outside the app's schema.
  const db = app.withTables<{ [DEFAULT_MIGRATION_TABLE]: { name: string } }>();
  const table = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name = ${DEFAULT_MIGRATION_TABLE}
  `.execute(db);
  if (table.rows.length === 0) return;

  const applied = await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').orderBy('name').execute();
  const unknown = applied
    .map((row) => row.name)
    .filter((name) => !Object.hasOwn(MIGRATIONS, name));
  if (unknown.length > 0) {
    throw new StoreError(
      'schema_too_new',
      `database schema is newer than this version of Parley (unknown migration${
        unknown.length > 1 ? 's' : ''
      } ${unknown.map((n) => `"${n}"`).join(', ')}); upgrade Parley to open this database`,
    );
  }
}
