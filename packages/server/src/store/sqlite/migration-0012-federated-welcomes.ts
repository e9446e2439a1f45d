import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Welcomes a conversation's home on another server sent for this server's devices
 * (federation/e2e-relay.ts). Apart from e2e_welcomes, whose rows belong to groups homed here
 * (and cascade from them): a mirror has no group row to hang them on.
 */
export const federatedWelcomesMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE TABLE fed_welcomes (
      user_id TEXT NOT NULL,
      device_id TEXT NOT NULL,
      group_id TEXT NOT NULL,
      conv TEXT NOT NULL,
      epoch INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      welcome TEXT NOT NULL,
      tree TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (user_id, device_id, group_id)
    )`.execute(db);
  },
};
