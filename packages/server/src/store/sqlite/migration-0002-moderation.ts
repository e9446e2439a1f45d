import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Moderation: roles, bans, audit, disabled commands, room modes and room grants. Like every
 * migration it takes Kysely<any> and describes the schema as it was when written.
 */
export const moderationMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('server_roles')
      .addColumn('account_id', 'integer', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('granted_by', 'text', (c) => c.notNull())
      .addColumn('granted_at', 'integer', (c) => c.notNull())
      .execute();

    // scope is "server" or a room key. No foreign key to rooms: a room ban outlives the room,
    // so deleting and recreating a room is no way around it.
    await db.schema
      .createTable('bans')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'integer')
      .addUniqueConstraint('bans_target', ['scope', 'kind', 'value'])
      .execute();

    await db.schema
      .createTable('audit')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('at', 'integer', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('disabled_commands')
      .addColumn('verb', 'text', (c) => c.primaryKey())
      .addColumn('disabled_by', 'text', (c) => c.notNull())
      .addColumn('disabled_at', 'integer', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('room_grants')
      .addColumn('room_key', 'text', (c) => c.notNull().references('rooms.key').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('granted_by', 'text', (c) => c.notNull())
      .addColumn('granted_at', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('room_grants_pk', ['room_key', 'user_id', 'kind'])
      .execute();

    for (const column of ['invite_only', 'moderated', 'topic_lock']) {
      await db.schema.alterTable('rooms').addColumn(column, 'integer', (c) => c.notNull().defaultTo(0)).execute();
    }
    await db.schema.alterTable('rooms').addColumn('password_hash', 'text', (c) => c.notNull().defaultTo('')).execute();

    // One row; every write to roles, bans or disabled commands raises n in the same
    // transaction, so another process (the running server) can tell cheaply that it must re-read.
    await db.schema
      .createTable('moderation_version')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('n', 'integer', (c) => c.notNull())
      .execute();
    await sql`insert into moderation_version (id, n) values (1, 0)`.execute(db);
  },
};
