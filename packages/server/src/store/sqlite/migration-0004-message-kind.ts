import type { Kysely, Migration } from 'kysely';

/**
 * What a message is besides its text (`MessageKind`: "action" for /me). Null for every message
 * stored before and for ordinary ones, so the column costs nothing on the common path.
 */
export const messageKindMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('messages').addColumn('kind', 'text').execute();
  },
};
