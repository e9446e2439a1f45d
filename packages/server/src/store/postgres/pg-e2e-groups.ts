import { sql, type Kysely } from 'kysely';
import type { CommitInput, CommitResult, E2eGroupRecord, GroupDevice, WelcomeRecord } from '../store.ts';
import { StoreError } from '../store.ts';
import { appendWithin } from './pg-append.ts';
import type { PgContext } from './pg-context.ts';
import type { PgSchema } from './pg-rows.ts';
import { distinctDevices, toGroup, toWelcome } from '../e2e-rows.ts';


/**
 * The compare-and-set on the epoch decides between nodes: the UPDATE takes the group's row
 * lock, and a second commit for the same epoch waits for it, then finds the epoch raised
 * (PostgreSQL re-checks the WHERE on the committed row) and changes nothing. The commit's
 * message then takes its conversation's row (pg-append.ts); nothing locks the two the other
 * way round (deleteRoom takes the group before the messages), so they cannot deadlock.
 */
async function commitIn(trx: Kysely<PgSchema>, input: CommitInput): Promise<CommitResult> {
  const raised = await trx
    .updateTable('e2e_groups')
    .set({ epoch: sql<number>`epoch + 1`, ...(input.tree === undefined ? {} : { tree: input.tree }) })
    .where('group_id', '=', input.groupId)
    .where('epoch', '=', input.epoch)
    .returning(['conv', 'epoch'])
    .executeTakeFirst();
  if (raised === undefined) {
    const current = await trx.selectFrom('e2e_groups').select('epoch').where('group_id', '=', input.groupId).executeTakeFirst();
    if (current === undefined) throw new StoreError('conflict', `there is no e2e group ${input.groupId}`);
    return { accepted: false, epoch: current.epoch };
  }
  if (input.removed.length > 0) {
    await trx
      .deleteFrom('e2e_group_members')
      .where('group_id', '=', input.groupId)
      .where(sql<boolean>`(user_id, device_id) IN (SELECT * FROM unnest(${input.removed.map((d) => d.userId)}::text[], ${input.removed.map((d) => d.deviceId)}::text[]))`)
      .execute();
  }
  const added = distinctDevices(input.added);
  if (added.length > 0) {
    const rows = added.map((d) => ({ group_id: input.groupId, user_id: d.userId, device_id: d.deviceId }));
    await trx.insertInto('e2e_group_members').values(rows).onConflict((oc) => oc.doNothing()).execute();
  }
  const [appended] = await appendWithin(trx, [input.message]);
  // A stored cmid would leave the new epoch without its commit in the conversation.
  if (appended === undefined || appended.duplicate) throw new StoreError('conflict', 'the commit message repeats a stored cmid');
  const { seq, createdAt } = appended.message;
  if (input.welcome !== undefined && added.length > 0) {
    const welcome = { group_id: input.groupId, conv: raised.conv, epoch: raised.epoch, seq, welcome: input.welcome, tree: input.tree ?? '', created_at: createdAt };
    await trx
      .insertInto('e2e_welcomes')
      .values(added.map((d) => ({ ...welcome, user_id: d.userId, device_id: d.deviceId })))
      .onConflict((oc) =>
        oc.columns(['user_id', 'device_id', 'group_id']).doUpdateSet((eb) => ({
          conv: eb.ref('excluded.conv'),
          epoch: eb.ref('excluded.epoch'),
          seq: eb.ref('excluded.seq'),
          welcome: eb.ref('excluded.welcome'),
          tree: eb.ref('excluded.tree'),
          created_at: eb.ref('excluded.created_at'),
        })),
      )
      .execute();
  }
  return { accepted: true, message: appended.message, epoch: raised.epoch };
}

/** The groups and Welcomes half of the e2e part on PostgreSQL (pg-e2e.ts adds keys and devices). */
export class PgE2eGroups {
  constructor(protected readonly ctx: PgContext) {}

  createGroup(input: { groupId: string; conv: string; tree: string; creator: GroupDevice; createdAt: number }): Promise<E2eGroupRecord> {
    const group = { group_id: input.groupId, conv: input.conv, epoch: 0, tree: input.tree, created_at: input.createdAt };
    return this.ctx.run(
      `creating the e2e group of ${input.conv}`,
      (db) =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('e2e_groups').values(group).execute();
          await trx.insertInto('e2e_group_members').values({ group_id: input.groupId, user_id: input.creator.userId, device_id: input.creator.deviceId }).execute();
          return toGroup(group);
        }),
      true,
    );
  }

  groupOfConv(conv: string): Promise<E2eGroupRecord | undefined> {
    return this.ctx.run('reading an e2e group', async (db) => {
      const row = await db.selectFrom('e2e_groups').selectAll().where('conv', '=', conv).executeTakeFirst();
      return row === undefined ? undefined : toGroup(row);
    });
  }

  groupMembers(groupId: string): Promise<GroupDevice[]> {
    return this.ctx.run('listing e2e group members', async (db) => {
      const rows = await db.selectFrom('e2e_group_members').select(['user_id', 'device_id']).where('group_id', '=', groupId).orderBy('user_id').orderBy('device_id').execute();
      return rows.map((r) => ({ userId: r.user_id, deviceId: r.device_id }));
    });
  }

  isGroupMember(groupId: string, device: GroupDevice): Promise<boolean> {
    return this.ctx.run('checking an e2e group member', async (db) => {
      const row = await db
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
    return this.ctx.run('committing to an e2e group', (db) => db.transaction().execute((trx) => commitIn(trx, input)));
  }

  welcomesFor(device: GroupDevice): Promise<WelcomeRecord[]> {
    return this.ctx.run('reading e2e welcomes', async (db) => {
      const rows = await db
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
    return this.ctx.run('deleting an e2e welcome', async (db) => {
      await db.deleteFrom('e2e_welcomes').where('user_id', '=', device.userId).where('device_id', '=', device.deviceId).where('group_id', '=', groupId).execute();
    });
  }

  /** Members and Welcomes go through the cascades from e2e_groups. */
  deleteGroupOfConv(conv: string): Promise<void> {
    return this.ctx.run(`deleting the e2e group of ${conv}`, async (db) => {
      await db.deleteFrom('e2e_groups').where('conv', '=', conv).execute();
    });
  }
}
