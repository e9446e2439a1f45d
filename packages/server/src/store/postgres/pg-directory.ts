import type { Account, AccountKeyStore, DeviceStore, DirectoryStore, RoomRecord } from '../store.ts';
import { PgAccountKeys } from './pg-account-keys.ts';
import type { PgContext } from './pg-context.ts';
import { PgDevices } from './pg-devices.ts';
import { toAccount, toRoomRecord } from './pg-rows.ts';

/**
 * Accounts, rooms and memberships on PostgreSQL. Uniqueness is the database's: two nodes
 * creating one name race to one row, and the loser's unique violation becomes 'conflict'.
 */
export class PgDirectory implements DirectoryStore {
  readonly devices: DeviceStore;
  readonly keys: AccountKeyStore;

  constructor(private readonly ctx: PgContext) {
    this.devices = new PgDevices(ctx);
    this.keys = new PgAccountKeys(ctx);
  }

  createAccount(input: { name: string; nameKey: string; passwordHash: string }): Promise<Account> {
    return this.ctx.run(
      `creating account ${input.nameKey}`,
      async (db) => {
        const row = await db
          .insertInto('accounts')
          .values({ name: input.name, name_key: input.nameKey, password_hash: input.passwordHash, created_at: Date.now() })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toAccount(row);
      },
      true,
    );
  }

  findAccount(nameKey: string): Promise<Account | undefined> {
    return this.ctx.run('finding an account', async (db) => {
      const row = await db.selectFrom('accounts').selectAll().where('name_key', '=', nameKey).executeTakeFirst();
      return row === undefined ? undefined : toAccount(row);
    });
  }

  countAccounts(): Promise<number> {
    return this.ctx.run('counting accounts', async (db) => {
      const row = await db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    });
  }

  createRoom(input: { key: string; name: string; topic: string; createdBy: string; encrypted?: boolean }): Promise<RoomRecord> {
    return this.ctx.run(
      `creating room ${input.key}`,
      async (db) => {
        const row = await db
          .insertInto('rooms')
          .values({ key: input.key, name: input.name, topic: input.topic, created_by: input.createdBy, created_at: Date.now(), encrypted: input.encrypted === true })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toRoomRecord(row);
      },
      true,
    );
  }

  /**
   * One transaction, so a recreated room can never see the deleted room's messages or e2e
   * group. Memberships and grants go through the cascades from rooms, the group's members and
   * Welcomes through those from e2e_groups; the conversation's last_seq stays, so cursors stay
   * valid for a room recreated under the same name.
   */
  deleteRoom(key: string): Promise<boolean> {
    return this.ctx.run(`deleting room ${key}`, (db) =>
      db.transaction().execute(async (trx) => {
        // The room row first: a concurrent deleteRoom on another node waits here and then
        // finds nothing to delete, and answers false.
        const removed = await trx.deleteFrom('rooms').where('key', '=', key).executeTakeFirst();
        // The group before the messages: a commit holding the group's row commits first, and
        // the messages statement, which starts after, deletes its message too.
        await trx.deleteFrom('e2e_groups').where('conv', '=', key).execute();
        await trx.deleteFrom('messages').where('conv', '=', key).execute();
        return removed.numDeletedRows > 0n;
      }),
    );
  }

  listRooms(): Promise<RoomRecord[]> {
    return this.ctx.run('listing rooms', async (db) => {
      const rows = await db.selectFrom('rooms').selectAll().orderBy('key').execute();
      return rows.map(toRoomRecord);
    });
  }

  setTopic(key: string, topic: string): Promise<void> {
    return this.ctx.run(`setting the topic of ${key}`, async (db) => {
      await db.updateTable('rooms').set({ topic }).where('key', '=', key).execute();
    });
  }

  addMember(roomKey: string, accountId: number): Promise<void> {
    return this.ctx.run(`adding a member to ${roomKey}`, async (db) => {
      await db
        .insertInto('room_members')
        .values({ room_key: roomKey, account_id: accountId, joined_at: Date.now() })
        .onConflict((oc) => oc.columns(['room_key', 'account_id']).doNothing())
        .execute();
    });
  }

  removeMember(roomKey: string, accountId: number): Promise<void> {
    return this.ctx.run(`removing a member from ${roomKey}`, async (db) => {
      await db.deleteFrom('room_members').where('room_key', '=', roomKey).where('account_id', '=', accountId).execute();
    });
  }

  roomsOf(accountId: number): Promise<string[]> {
    return this.ctx.run('listing rooms of an account', async (db) => {
      const rows = await db.selectFrom('room_members').select('room_key').where('account_id', '=', accountId).orderBy('room_key').execute();
      return rows.map((r) => r.room_key);
    });
  }

  hasMembers(roomKey: string): Promise<boolean> {
    return this.ctx.run(`counting the members of ${roomKey}`, async (db) => {
      const row = await db.selectFrom('room_members').select('account_id').where('room_key', '=', roomKey).limit(1).executeTakeFirst();
      return row !== undefined;
    });
  }

  roomMembers(roomKey: string): Promise<{ accountId: number; name: string }[]> {
    return this.ctx.run(`listing the members of ${roomKey}`, async (db) => {
      const rows = await db
        .selectFrom('room_members')
        .innerJoin('accounts', 'accounts.id', 'room_members.account_id')
        .select(['accounts.id as accountId', 'accounts.name as name'])
        .where('room_members.room_key', '=', roomKey)
        .orderBy('accounts.id')
        .execute();
      return rows.map((r) => ({ accountId: Number(r.accountId), name: r.name }));
    });
  }
}
