import { sql, type Kysely, type Migration } from 'kysely';

/** Rooms whose messages are MLS ciphertext only (mode `encrypted`, chat/send.ts refuses plaintext there). */
export const encryptedRoomsMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .alterTable('rooms')
      .addColumn('encrypted', 'integer', (c) => c.notNull().defaultTo(sql`0`))
      .execute();
  },
};
