import { nameKey } from '@parley/protocol';
import { sql, type Kysely, type Migration } from 'kysely';

/*
 * Name keys fold lookalikes since this migration ("аlice" with a Cyrillic а is "alice"); keys
 * stored before were the case fold alone. Recomputes every stored user-name key: accounts'
 * name_key, account bans' values and guests' room grants ("guest:<key>"). Room keys are not
 * touched: they stay the case fold (chat/room-directory.ts). Recomputing uses the current
 * nameKey, whose key of an old key is the key of the name (a property names.test.ts checks).
 *
 * Two accounts whose new keys collide were both registered before (a lookalike pair): neither
 * may lose its account. An account whose key does not change keeps it; one whose new key is
 * held already keeps its old key, which its exact name still finds at login (identity-
 * commands.ts), and the pair is written to the audit log for the operators. Old keys of
 * changed accounts are never anyone's new key (they are not fixed points of nameKey), so no
 * update can meet a uniqueness conflict.
 */
export const lookalikeKeysMigration: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await rekeyAccounts(db);
    await rekeyAccountBans(db);
    await rekeyGuestGrants(db);
    // A server in another process re-reads bans when this moves.
    await sql`update moderation_version set n = n + 1`.execute(db);
  },
};

interface AccountRow {
  id: number;
  name: string;
  name_key: string;
}

async function rekeyAccounts(db: Kysely<any>): Promise<void> {
  const rows: AccountRow[] = await db.selectFrom('accounts').select(['id', 'name', 'name_key']).orderBy('id').execute();
  const holders = new Map<string, AccountRow>();
  const changed: { row: AccountRow; key: string }[] = [];
  for (const row of rows) {
    const key = nameKey(row.name);
    if (key === row.name_key) holders.set(key, row);
    else changed.push({ row, key });
  }
  const now = Date.now();
  for (const { row, key } of changed) {
    const holder = holders.get(key);
    if (holder) {
      await db
        .insertInto('audit')
        .values({
          at: now,
          actor: 'server',
          action: 'account.lookalike',
          target: row.name,
          detail: `looks like the account ${holder.name}; keeps its key from before lookalike names were folded, so both can log in, but only one of them can be online at a time and a direct message to either name reaches ${holder.name} while both are offline`,
        })
        .execute();
      continue;
    }
    await db.updateTable('accounts').set({ name_key: key }).where('id', '=', row.id).execute();
    holders.set(key, row);
  }
}

interface BanRow {
  id: number;
  scope: string;
  value: string;
  expires_at: number | null;
}

/** null (permanent) outlasts every time. */
const outlasts = (a: number | null, b: number | null) => a === null || (b !== null && a > b);

/** Two bans that now name one key in one scope become one: the one that lasts longer stays. */
async function rekeyAccountBans(db: Kysely<any>): Promise<void> {
  const rows: BanRow[] = await db.selectFrom('bans').select(['id', 'scope', 'value', 'expires_at']).where('kind', '=', 'account').orderBy('id').execute();
  const byTarget = new Map<string, BanRow>();
  const changed: { row: BanRow; value: string }[] = [];
  for (const row of rows) {
    const value = nameKey(row.value);
    if (value === row.value) byTarget.set(`${row.scope}\n${value}`, row);
    else changed.push({ row, value });
  }
  for (const { row, value } of changed) {
    const target = `${row.scope}\n${value}`;
    const existing = byTarget.get(target);
    if (existing && !outlasts(row.expires_at, existing.expires_at)) {
      await db.deleteFrom('bans').where('id', '=', row.id).execute();
      continue;
    }
    if (existing) await db.deleteFrom('bans').where('id', '=', existing.id).execute();
    await db.updateTable('bans').set({ value }).where('id', '=', row.id).execute();
    byTarget.set(target, row);
  }
}

const GUEST_PREFIX = 'guest:';

/** Guests' mutes (and any other grant) are stored under "guest:<name key>". */
async function rekeyGuestGrants(db: Kysely<any>): Promise<void> {
  const rows: { room_key: string; user_id: string; kind: string }[] = await db
    .selectFrom('room_grants')
    .select(['room_key', 'user_id', 'kind'])
    .where('user_id', 'like', `${GUEST_PREFIX}%`)
    .execute();
  const present = new Set(rows.map((r) => `${r.room_key}\n${r.user_id}\n${r.kind}`));
  for (const row of rows) {
    const userId = GUEST_PREFIX + nameKey(row.user_id.slice(GUEST_PREFIX.length));
    if (userId === row.user_id) continue;
    const match = db.deleteFrom('room_grants').where('room_key', '=', row.room_key).where('user_id', '=', row.user_id).where('kind', '=', row.kind);
    const target = `${row.room_key}\n${userId}\n${row.kind}`;
    if (present.has(target)) {
      // The same grant under the new key exists already: one is enough.
      await match.execute();
      continue;
    }
    await db.updateTable('room_grants').set({ user_id: userId }).where('room_key', '=', row.room_key).where('user_id', '=', row.user_id).where('kind', '=', row.kind).execute();
    present.add(target);
  }
}
