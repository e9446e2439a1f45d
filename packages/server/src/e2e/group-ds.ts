import { assertWelcome, fromBase64Url, isE2eError, mlsHeader, toBase64Url, type MlsHeader } from '@parley/e2e';
import { ParleyError, type CommandArgs, type E2eWelcome, type ReplyData } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import { StoreError, type E2eGroupRecord, type GroupDevice, type NewMessage, type StoredMessage } from '../store/store.ts';
import { sessionsOfDevice } from './e2e-devices.ts';
import { cachedGroup, deviceKey, forgetGroup } from './group-cache.ts';
import { checkNoLeavers } from './conversation-people.ts';
import type { Room } from '../chat/room.ts';

/**
 * The Delivery Service's rules for a conversation's group, whoever asks: a connection of this
 * server (e2e-groups.ts) or a user of another server through its server, when the conversation
 * is homed here (federation/home-e2e.ts). It reads MLS headers (group, epoch, content type:
 * cleartext by design) and never anything inside.
 */

export function mlsHeaderOf(text: string): MlsHeader {
  try {
    return mlsHeader(fromBase64Url(text));
  } catch (error) {
    if (isE2eError(error)) throw new ParleyError('E2E_BAD_MESSAGE', `Not an MLS message: ${error.message}`);
    throw error;
  }
}

export async function requireGroup(server: ServerContext, conv: string, groupId?: string): Promise<E2eGroupRecord> {
  return checkGroup(await server.store.e2e.groupOfConv(conv), groupId);
}

export function checkGroup(group: E2eGroupRecord | undefined, groupId?: string): E2eGroupRecord {
  if (!group) throw new ParleyError('E2E_NO_GROUP', 'The conversation has no encrypted group yet: EGROUP makes one');
  if (groupId !== undefined && group.groupId !== groupId) {
    throw new ParleyError('E2E_BAD_MESSAGE', `The conversation's group is ${group.groupId}, not ${groupId}`, { detail: { group: group.groupId, epoch: group.epoch } });
  }
  return group;
}

export const notMember = () => new ParleyError('E2E_NOT_MEMBER', "This device is not a member of the conversation's group: wait for its Welcome");

export function epochConflict(groupId: string, epoch: number): ParleyError {
  return new ParleyError('E2E_EPOCH_CONFLICT', `The group is at epoch ${epoch}: process the newer commits, then commit again`, { detail: { group: groupId, epoch } });
}

export function wrongEpoch(group: E2eGroupRecord, epoch: number): ParleyError {
  return new ParleyError('E2E_WRONG_EPOCH', `The group is at epoch ${group.epoch}; the message is for ${epoch}`, { detail: { group: group.groupId, epoch: group.epoch } });
}

/**
 * An encrypted message is taken only from a member device of the conversation's group, for its
 * current epoch; in a room, only once the devices of everyone who left are out of the group.
 */
export async function checkEncryptedMessage(server: ServerContext, input: { conv: string; room: Room | undefined; device: GroupDevice; text: string }): Promise<void> {
  const head = mlsHeaderOf(input.text);
  if (head.wireformat !== 'mls_private_message' || head.contentType !== 'application') {
    throw new ParleyError('E2E_BAD_MESSAGE', 'ESEND carries an MLS PrivateMessage with application data');
  }
  const cached = await cachedGroup(server, input.conv, input.room);
  const group = checkGroup(cached?.group, toBase64Url(head.groupId));
  if (head.epoch !== group.epoch) throw wrongEpoch(group, head.epoch);
  if (!cached?.members.has(deviceKey(input.device))) throw notMember();
  if (input.room) await checkNoLeavers(server, input.room, { group, members: cached.members });
}

/** A user id of another server (`<id>@<server id>`): its devices are in its own server's directory, not here. */
export const isRemoteUserId = (id: string) => id.includes('@');

export async function groupInfo(server: ServerContext, group: E2eGroupRecord): Promise<ReplyData['egroupinfo']> {
  const members = await server.store.e2e.groupMembers(group.groupId);
  return { conv: group.conv, group: group.groupId, epoch: group.epoch, members: members.map((m) => ({ user_id: m.userId, device_id: m.deviceId })) };
}

/** EGROUP: the conversation's group at epoch 0 with the creator's device, replacing one nobody can commit to any more. */
export async function makeGroup(server: ServerContext, input: { conv: string; groupId: string; creator: GroupDevice }): Promise<ReplyData['egroup']> {
  const record = { groupId: input.groupId, conv: input.conv, tree: '', creator: input.creator, createdAt: Date.now() };
  forgetGroup(server, input.conv);
  try {
    const created = await server.store.e2e.createGroup(record);
    forgetGroup(server, input.conv);
    return await groupInfo(server, created);
  } catch (error) {
    if (!(error instanceof StoreError && error.code === 'conflict')) throw error;
    const existing = await server.store.e2e.groupOfConv(input.conv);
    if (!existing) throw new ParleyError('E2E_GROUP_EXISTS', 'That group id is taken; make another');
    if (!(await isAbandoned(server, existing))) {
      throw new ParleyError('E2E_GROUP_EXISTS', `The conversation has an encrypted group already (epoch ${existing.epoch})`, { detail: { group: existing.groupId, epoch: existing.epoch } });
    }
    // Nobody can ever commit to it again: a new group takes the conversation over.
    await server.store.e2e.deleteGroupOfConv(input.conv);
    const replaced = await server.store.e2e.createGroup(record);
    forgetGroup(server, input.conv);
    return groupInfo(server, replaced);
  }
}

/** A group none of whose member devices is registered any more (every member reset or removed its devices). */
async function isAbandoned(server: ServerContext, group: E2eGroupRecord): Promise<boolean> {
  const members = await server.store.e2e.groupMembers(group.groupId);
  // Another server's user: this server cannot tell, so the group is theirs to keep.
  if (members.some((m) => isRemoteUserId(m.userId))) return false;
  for (const userId of new Set(members.map((m) => m.userId))) {
    const registered = new Set((await server.store.e2e.devices(userId)).map((d) => d.deviceId));
    if (members.some((m) => m.userId === userId && registered.has(m.deviceId))) return false;
  }
  return true;
}

/**
 * Added devices must be devices of the conversation's people, registered here for users of this
 * server. Another server's users' devices are in their server's directory: their members' clients
 * check those credentials themselves (every member verifies every credential against the
 * identity key it pinned), as they do for local ones.
 */
async function checkAdded(server: ServerContext, people: ReadonlyMap<string, string>, added: readonly GroupDevice[]): Promise<void> {
  for (const device of added) {
    if (!people.has(device.userId)) throw new ParleyError('E2E_NOT_MEMBER', `${device.userId} is not in this conversation`);
  }
  for (const userId of new Set(added.map((d) => d.userId).filter((id) => !isRemoteUserId(id)))) {
    const registered = new Set((await server.store.e2e.devices(userId)).map((d) => d.deviceId));
    const unknown = added.find((d) => d.userId === userId && !registered.has(d.deviceId));
    if (unknown) throw new ParleyError('E2E_NOT_MEMBER', `${unknown.userId} has no registered device ${unknown.deviceId}`);
  }
}

function checkWelcome(text: string): void {
  try {
    assertWelcome(fromBase64Url(text));
  } catch (error) {
    if (isE2eError(error)) throw new ParleyError('E2E_BAD_MESSAGE', `Not a Welcome: ${error.message}`);
    throw error;
  }
}

export const toDevices = (list: CommandArgs<'ecommit'>['added']): GroupDevice[] => list.map((d) => ({ userId: d.user_id, deviceId: d.device_id }));

export interface CommitRequest {
  conv: string;
  device: GroupDevice;
  args: Omit<CommandArgs<'ecommit'>, 'to' | 'tree' | 'tree_parts'>;
  /** The ratchet tree of the new epoch (required with a Welcome). */
  tree: string | undefined;
  people: () => Promise<ReadonlyMap<string, string>>;
  /** The commit as a message of the conversation (kind `mls_commit`). */
  message: NewMessage;
}

/**
 * Orders a commit: one per epoch wins, atomically with the commit's place in the conversation;
 * its Welcome goes to the devices it adds, here or on their servers. A loser gets the group's
 * current epoch (retryable). A conversation other servers follow is sealed at once, so they
 * hear the commit before the next message.
 */
export async function orderCommit(server: ServerContext, request: CommitRequest): Promise<{ message: StoredMessage; epoch: number; queued: readonly number[] | undefined }> {
  const { conv, device, args, tree } = request;
  const group = await requireGroup(server, conv, args.group);
  const head = mlsHeaderOf(args.commit);
  if (head.contentType !== 'commit' || toBase64Url(head.groupId) !== group.groupId || head.epoch !== args.epoch) {
    throw new ParleyError('E2E_BAD_MESSAGE', `Expected a commit of group ${group.groupId} for epoch ${args.epoch}`);
  }
  if (args.epoch !== group.epoch) throw epochConflict(group.groupId, group.epoch);
  if (!(await server.store.e2e.isGroupMember(group.groupId, device))) throw notMember();
  const added = toDevices(args.added);
  if (added.length > 0) await checkAdded(server, await request.people(), added);
  if (added.length > 0 && args.welcome === undefined) throw new ParleyError('BAD_ARGUMENTS', 'A commit that adds devices carries their Welcome');
  if (args.welcome !== undefined && tree === undefined) throw new ParleyError('BAD_ARGUMENTS', 'A commit with a Welcome carries the ratchet tree the joiners need');
  if (args.welcome !== undefined) checkWelcome(args.welcome);
  forgetGroup(server, conv);
  const result = await server.store.e2e.commitGroup({
    groupId: group.groupId,
    epoch: args.epoch,
    ...(tree === undefined ? {} : { tree }),
    added,
    removed: toDevices(args.removed),
    message: request.message,
    ...(args.welcome === undefined ? {} : { welcome: args.welcome }),
  });
  // Again after: an ESEND that read the store while the commit was in flight must not keep the old epoch.
  forgetGroup(server, conv);
  if (!result.accepted) throw epochConflict(group.groupId, result.epoch);
  server.metrics.messages.inc(1);
  if (server.federation?.home.isSealed(conv)) await server.federation.home.append(conv, []);
  if (args.welcome !== undefined && tree !== undefined) {
    const welcome: E2eWelcome = { conv, group: group.groupId, epoch: result.epoch, seq: result.message.seq, welcome: args.welcome, tree };
    deliverWelcome(server, welcome, added);
  }
  return { message: result.message, epoch: result.epoch, queued: request.message.pendingFor };
}

/** A Welcome (stored by the commit for each joiner) to the joiners' connections here, and to other servers for theirs. */
function deliverWelcome(server: ServerContext, welcome: E2eWelcome, joiners: readonly GroupDevice[]): void {
  for (const joiner of joiners) {
    if (isRemoteUserId(joiner.userId)) server.federation?.homeE2e.pushWelcome({ ...joiner, welcome });
    else for (const target of sessionsOfDevice(server, joiner)) target.deliver(new OutboundEvent({ ev: 'welcome', ...welcome }));
  }
}
