import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The store's identity, made once with the database: its epoch. Messages a node publishes on
 * the bus carry it, so a node that shares a bus with nodes of another database (a copied
 * config, one NATS prefix for two servers) drops theirs instead of delivering foreign seqs.
 */
export const storeIdentityMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('store_identity')
      .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
      .addColumn('epoch', 'text', (c) => c.notNull())
      .execute();
    await db.insertInto('store_identity').values({ id: 1, epoch: randomUUID() }).execute();
  },
};
