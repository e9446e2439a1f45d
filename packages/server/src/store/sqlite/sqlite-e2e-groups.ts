import type Database from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { CommitInput, CommitResult, E2eGroupRecord, GroupDevice, WelcomeRecord } from '../store.ts';
import { StoreError } from '../store.ts';
import type { AppendTransaction } from './sqlite-append.ts';
import type { SqliteParts, StoreRunner } from './sqlite-parts.ts';
import type { SqliteSchema } from './sqlite-rows.ts';
import { firstSync, runSync } from './sqlite-sync.ts';
import { distinctDevices, toGroup, toWelcome } from '../e2e-rows.ts';

/**
 * The groups and Welcomes half of the SQLite e2e part (sqlite-e2e.ts adds keys and devices).
 * Writes of several statements are one better-sqlite3 IMMEDIATE transaction, as in
 * sqlite-sync.ts. A commit appends its message through the store's one AppendTransaction, so
 * the message log's cache of last seqs sees it.
 */
export class SqliteE2eGroups {
  protected readonly sqlite: Database.Database;
  protected readonly db: Kysely<SqliteSchema>;
  protected readonly run: StoreRunner;

  constructor(
    parts: SqliteParts,
    private readonly append: AppendTransaction,
  ) {
    this.sqlite = parts.sqlite;
    this.db = parts.db;
    this.run = parts.run;
  }

  createGroup(input: { groupId: string; conv: string; tree: string; creator: GroupDevice; createdAt: number }): Promise<E2eGroupRecord> {
    const group = { group_id: input.groupId, conv: input.conv, epoch: 0, tree: input.tree, created_at: input.createdAt };
    const member = { group_id: input.groupId, user_id: input.creator.userId, device_id: input.creator.deviceId };
    return this.run(
      `creating the e2e group of ${input.conv}`,
      async () => {
        this.sqlite
          .transaction(() => {
            runSync(this.sqlite, this.db.insertInto('e2e_groups').values(group));
            runSync(this.sqlite, this.db.insertInto('e2e_group_members').values(member));
          })
          .immediate();
        return toGroup(group);
      },
      true,
    );
  }

  groupOfConv(conv: string): Promise<E2eGroupRecord | undefined> {
    return this.run('reading an e2e group', async () => {
      const row = await this.db.selectFrom('e2e_groups').selectAll().where('conv', '=', conv).executeTakeFirst();
      return row === undefined ? undefined : toGroup(row);
    });
  }

  groupMembers(groupId: string): Promise<GroupDevice[]> {
    return this.run('listing e2e group members', async () => {
      const rows = await this.db.selectFrom('e2e_group_members').select(['user_id', 'device_id']).where('group_id', '=', groupId).orderBy('user_id').orderBy('device_id').execute();
      return rows.map((r) => ({ userId: r.user_id, deviceId: r.device_id }));
    });
  }

  isGroupMember(groupId: string, device: GroupDevice): Promise<boolean> {
    return this.run('checking an e2e group member', async () => {
      const row = await this.db
        .selectFrom('e2e_group_members')
        .select('group_id')
        .where('group_id', '=', groupId)
        .where('user_id', '=', device.userId)
        .where('device_id', '=', device.deviceId)
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  commitGroup(input: CommitInput): Promise<CommitResult> {
    return this.run('committing to an e2e group', async () => {
      try {
        return this.sqlite.transaction(() => this.commitSync(input)).immediate();
      } catch (err) {
        // The rollback may have undone the commit's message after it was appended.
        this.append.forget();
        throw err;
      }
    });
  }

  /** The compare-and-set on the epoch first: a commit for an epoch already left changes nothing. */
  private commitSync(input: CommitInput): CommitResult {
    const { sqlite, db } = this;
    const raised = firstSync(
      sqlite,
      db
        .updateTable('e2e_groups')
        .set({ epoch: sql<number>`epoch + 1`, ...(input.tree === undefined ? {} : { tree: input.tree }) })
        .where('group_id', '=', input.groupId)
        .where('epoch', '=', input.epoch)
        .returning(['conv', 'epoch']),
    );
    if (raised === undefined) {
      const current = firstSync(sqlite, db.selectFrom('e2e_groups').select('epoch').where('group_id', '=', input.groupId));
      if (current === undefined) throw new StoreError('conflict', `there is no e2e group ${input.groupId}`);
      return { accepted: false, epoch: current.epoch };
    }
    for (const d of input.removed) {
      runSync(sqlite, db.deleteFrom('e2e_group_members').where('group_id', '=', input.groupId).where('user_id', '=', d.userId).where('device_id', '=', d.deviceId));
    }
    const added = distinctDevices(input.added);
    if (added.length > 0) {
      const rows = added.map((d) => ({ group_id: input.groupId, user_id: d.userId, device_id: d.deviceId }));
      runSync(sqlite, db.insertInto('e2e_group_members').values(rows).onConflict((oc) => oc.doNothing()));
    }
    const [appended] = this.append.immediate([input.message]);
    // A stored cmid would leave the new epoch without its commit in the conversation.
    if (appended === undefined || appended.duplicate) throw new StoreError('conflict', 'the commit message repeats a stored cmid');
    const { seq, createdAt } = appended.message;
    if (input.welcome !== undefined && added.length > 0) {
      const welcome = { group_id: input.groupId, conv: raised.conv, epoch: raised.epoch, seq, welcome: input.welcome, tree: input.tree ?? '', created_at: createdAt };
      const rows = added.map((d) => ({ ...welcome, user_id: d.userId, device_id: d.deviceId }));
      runSync(
        sqlite,
        db
          .insertInto('e2e_welcomes')
          .values(rows)
          .onConflict((oc) =>
            oc.columns(['user_id', 'device_id', 'group_id']).doUpdateSet((eb) => ({
              conv: eb.ref('excluded.conv'),
              epoch: eb.ref('excluded.epoch'),
              seq: eb.ref('excluded.seq'),
              welcome: eb.ref('excluded.welcome'),
              tree: eb.ref('excluded.tree'),
              created_at: eb.ref('excluded.created_at'),
            })),
          ),
      );
    }
    return { accepted: true, message: appended.message, epoch: raised.epoch };
  }

  welcomesFor(device: GroupDevice): Promise<WelcomeRecord[]> {
    return this.run('reading e2e welcomes', async () => {
      const rows = await this.db
        .selectFrom('e2e_welcomes')
        .selectAll()
        .where('user_id', '=', device.userId)
        .where('device_id', '=', device.deviceId)
        .orderBy('created_at')
        .orderBy('group_id')
        .execute();
      return rows.map(toWelcome);
    });
  }

  deleteWelcome(device: GroupDevice, groupId: string): Promise<void> {
    return this.run('deleting an e2e welcome', async () => {
      await this.db.deleteFrom('e2e_welcomes').where('user_id', '=', device.userId).where('device_id', '=', device.deviceId).where('group_id', '=', groupId).execute();
    });
  }

  /** Members and Welcomes go through the cascades from e2e_groups. */
  deleteGroupOfConv(conv: string): Promise<void> {
    return this.run(`deleting the e2e group of ${conv}`, async () => {
      await this.db.deleteFrom('e2e_groups').where('conv', '=', conv).execute();
    });
  }
}
