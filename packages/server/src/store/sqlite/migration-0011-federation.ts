import { sql, type Kysely, type Migration } from 'kysely';

/** Federation (federation/, store/federation-store.ts): known servers, mirrored rooms, followers, signed events, the outbox. */
export const federationMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`CREATE TABLE fed_peers (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      addresses TEXT NOT NULL,
      last_seen INTEGER NOT NULL,
      denied INTEGER NOT NULL DEFAULT 0
    )`.execute(db);
    await sql`CREATE TABLE fed_mirrored_rooms (conv TEXT PRIMARY KEY, home TEXT NOT NULL, room TEXT NOT NULL, start INTEGER NOT NULL)`.execute(db);
    await sql`CREATE TABLE fed_followers (conv TEXT NOT NULL, server TEXT NOT NULL, PRIMARY KEY (conv, server))`.execute(db);
    await sql`CREATE TABLE fed_remote_members (
      conv TEXT NOT NULL,
      user_id TEXT NOT NULL,
      name TEXT NOT NULL,
      server TEXT NOT NULL,
      PRIMARY KEY (conv, user_id)
    )`.execute(db);
    // (conv, seq) is one event; (origin, sub) one submission, whichever path brought it.
    await sql`CREATE TABLE fed_events (
      conv TEXT NOT NULL,
      seq INTEGER NOT NULL,
      origin TEXT NOT NULL,
      sub INTEGER NOT NULL,
      hash TEXT NOT NULL,
      envelope TEXT NOT NULL,
      PRIMARY KEY (conv, seq),
      UNIQUE (origin, sub)
    )`.execute(db);
    await sql`CREATE TABLE fed_outbox (sub INTEGER PRIMARY KEY, conv TEXT NOT NULL, submission TEXT NOT NULL, created_at INTEGER NOT NULL)`.execute(db);
    await sql`CREATE TABLE fed_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`.execute(db);
  },
};
