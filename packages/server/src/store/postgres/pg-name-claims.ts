import { sql } from 'kysely';
import type { NameClaims } from '../../cluster/name-claims.ts';
import type { PgContext } from './pg-context.ts';

/** First half of the advisory lock key of a name claim ("Name"); the second is hashtext(name key). */
const CLAIM_LOCK_CLASS = 0x4e_61_6d_65;

/**
 * Name claims in the online_names table, one row per (name, node). Leases are on the
 * database's clock (clock_timestamp()), never the nodes', so nodes whose clocks disagree still
 * agree on when a lease ran out.
 *
 * `claim` is a transaction that first takes a transaction-scoped advisory lock on the name
 * key: two claims of one name, from any nodes, run one after the other, and the second's
 * check (a new snapshot in READ COMMITTED, taken after the lock) sees the first's row. The
 * primary key cannot do this alone: two nodes insert different (name, node) rows. A hash
 * collision between two names only makes their claims wait for each other.
 */
export class PgNameClaims implements NameClaims {
  constructor(
    private readonly ctx: PgContext,
    private readonly node: { id: string; leaseMs: number },
  ) {}

  #leaseEnd() {
    return sql<Date>`clock_timestamp() + ${Math.max(0, Math.floor(this.node.leaseMs))} * interval '1 millisecond'`;
  }

  claim(nameKey: string, userId: string): Promise<boolean> {
    return this.ctx.run(`claiming the name ${nameKey}`, (db) =>
      db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_CLASS}, hashtext(${nameKey}))`.execute(trx);
        const held = await trx
          .selectFrom('online_names')
          .select('user_id')
          .where('name_key', '=', nameKey)
          .where('user_id', '<>', userId)
          .where('expires_at', '>', sql<Date>`clock_timestamp()`)
          .limit(1)
          .executeTakeFirst();
        if (held !== undefined) return false;
        await trx
          .insertInto('online_names')
          .values({ name_key: nameKey, node_id: this.node.id, user_id: userId, expires_at: this.#leaseEnd() })
          .onConflict((oc) => oc.columns(['name_key', 'node_id']).doUpdateSet((eb) => ({ user_id: eb.ref('excluded.user_id'), expires_at: eb.ref('excluded.expires_at') })))
          .execute();
        return true;
      }),
    );
  }

  release(nameKey: string, userId: string): Promise<void> {
    return this.ctx.run(`releasing the name ${nameKey}`, async (db) => {
      await db.deleteFrom('online_names').where('name_key', '=', nameKey).where('node_id', '=', this.node.id).where('user_id', '=', userId).execute();
    });
  }

  /**
   * Extends this node's live leases only: a lease that ran out may have been claimed by
   * another user since, and reviving it would give one name two holders. (A node renews
   * every heartbeat, well inside the lease; one that missed it has lost those names.)
   */
  renew(): Promise<void> {
    return this.ctx.run('renewing name claims', async (db) => {
      await db
        .updateTable('online_names')
        .set({ expires_at: this.#leaseEnd() })
        .where('node_id', '=', this.node.id)
        .where('expires_at', '>', sql<Date>`clock_timestamp()`)
        .execute();
    });
  }

  releaseNode(nodeId: string): Promise<void> {
    return this.ctx.run(`releasing the names of node ${nodeId}`, async (db) => {
      await db.deleteFrom('online_names').where('node_id', '=', nodeId).execute();
    });
  }
}
