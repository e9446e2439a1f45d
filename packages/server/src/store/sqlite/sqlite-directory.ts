import type { Selectable } from 'kysely';
import type { DirectoryStore } from '../store.ts';
import { SqliteDevices } from './sqlite-devices.ts';
import { SqliteAccountKeys } from './sqlite-account-keys.ts';
import type { SqliteParts } from './sqlite-parts.ts';
import { toAccount, toRoomRecord, type SqliteSchema } from './sqlite-rows.ts';
import { runSync } from './sqlite-sync.ts';

/** The directory part of the SQLite store: accounts, rooms, memberships and devices. */
export function sqliteDirectory({ sqlite, db, run }: SqliteParts): DirectoryStore {
  // Every login, guest name claim and DM to an offline name asks this: prepared once here, as
  // Kysely prepares on every call.
  const findAccount = sqlite.prepare<[string], Selectable<SqliteSchema['accounts']>>('SELECT * FROM accounts WHERE name_key = ?');

  return {
    devices: new SqliteDevices(db, run),
    keys: new SqliteAccountKeys(db, run),

    createAccount(input) {
      return run(
        `creating account ${input.nameKey}`,
        async () => {
          const row = await db
            .insertInto('accounts')
            .values({ name: input.name, name_key: input.nameKey, password_hash: input.passwordHash, created_at: Date.now() })
            .returningAll()
            .executeTakeFirstOrThrow();
          return toAccount(row);
        },
        true,
      );
    },

    findAccount(nameKey) {
      return run('finding an account', async () => {
        const row = findAccount.get(nameKey);
        return row === undefined ? undefined : toAccount(row);
      });
    },

    countAccounts() {
      return run('counting accounts', async () => {
        const row = await db
          .selectFrom('accounts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        return Number(row.n);
      });
    },

    createRoom(input) {
      return run(
        `creating room ${input.key}`,
        async () => {
          const row = await db
            .insertInto('rooms')
            .values({ key: input.key, name: input.name, topic: input.topic, created_by: input.createdBy, created_at: Date.now(), encrypted: input.encrypted ? 1 : 0 })
            .returningAll()
            .executeTakeFirstOrThrow();
          return toRoomRecord(row);
        },
        true,
      );
    },

    deleteRoom(key) {
      return run(`deleting room ${key}`, async () => {
        // One synchronous transaction so a crash cannot leave a deleted room's messages (or its
        // e2e group) for a room recreated under the same name. Memberships and grants go through
        // the cascades from rooms, the group's members and Welcomes through those from
        // e2e_groups; the conversation's last_seq stays, so clients' cursors stay valid for a
        // recreated room.
        const messages = db.deleteFrom('messages').where('conv', '=', key);
        const group = db.deleteFrom('e2e_groups').where('conv', '=', key);
        const room = db.deleteFrom('rooms').where('key', '=', key);
        return sqlite
          .transaction(() => {
            runSync(sqlite, messages);
            runSync(sqlite, group);
            return runSync(sqlite, room) > 0;
          })
          .immediate();
      });
    },

    listRooms() {
      return run('listing rooms', async () => {
        const rows = await db.selectFrom('rooms').selectAll().orderBy('key').execute();
        return rows.map(toRoomRecord);
      });
    },

    setTopic(key, topic) {
      return run(`setting the topic of ${key}`, async () => {
        await db.updateTable('rooms').set({ topic }).where('key', '=', key).execute();
      });
    },

    addMember(roomKey, accountId) {
      return run(`adding a member to ${roomKey}`, async () => {
        await db
          .insertInto('room_members')
          .values({ room_key: roomKey, account_id: accountId, joined_at: Date.now() })
          .onConflict((oc) => oc.columns(['room_key', 'account_id']).doNothing())
          .execute();
      });
    },

    removeMember(roomKey, accountId) {
      return run(`removing a member from ${roomKey}`, async () => {
        await db.deleteFrom('room_members').where('room_key', '=', roomKey).where('account_id', '=', accountId).execute();
      });
    },

    roomsOf(accountId) {
      return run('listing rooms of an account', async () => {
        const rows = await db.selectFrom('room_members').select('room_key').where('account_id', '=', accountId).orderBy('room_key').execute();
        return rows.map((r) => r.room_key);
      });
    },

    hasMembers(roomKey) {
      return run(`counting the members of ${roomKey}`, async () => {
        const row = await db.selectFrom('room_members').select('account_id').where('room_key', '=', roomKey).limit(1).executeTakeFirst();
        return row !== undefined;
      });
    },

    roomMembers(roomKey) {
      return run(`listing the members of ${roomKey}`, async () => {
        const rows = await db
          .selectFrom('room_members')
          .innerJoin('accounts', 'accounts.id', 'room_members.account_id')
          .select(['accounts.id as accountId', 'accounts.name as name'])
          .where('room_members.room_key', '=', roomKey)
          .orderBy('accounts.id')
          .execute();
        return rows;
      });
    },
  };
}
