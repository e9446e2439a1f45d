import { assertWelcome, fromBase64Url, isE2eError, mlsHeader, toBase64Url, type MlsHeader } from '@parley/e2e';
import { ParleyError, type CommandArgs, type E2eWelcome, type ReplyData } from '@parley/protocol';
import type { Actor, ServerContext } from '../core/context.ts';
import type { Session } from '../core/session.ts';
import { OutboundEvent } from '../core/outbound.ts';
import { committedMessage, newMessageFor } from '../chat/send.ts';
import { StoreError, type E2eGroupRecord, type GroupDevice, type WelcomeRecord } from '../store/store.ts';
import { checkNoLeavers, conversationPeople, encryptedDestination } from './conversation-people.ts';
import { requireDevice, sessionsOfDevice } from './e2e-devices.ts';
import { cachedGroup, deviceKey, forgetGroup } from './group-cache.ts';
import { takeTree } from './tree-parts.ts';

/**
 * Each encrypted conversation's MLS group, with the server as its Delivery Service: it orders
 * commits (one per epoch wins, atomically with the commit's place in the conversation), hands
 * Welcomes to the devices they add, and accepts encrypted messages only from a member device for
 * the current epoch. It reads MLS headers (group, epoch, content type: cleartext by design) and
 * never anything inside.
 *
 * Commits and encrypted messages are messages of the conversation (kinds `mls_commit` and `mls`),
 * so offline delivery, resume cursors, history and every device of a user work for them as they
 * do for plaintext, in one order.
 */

function header(text: string): MlsHeader {
  try {
    return mlsHeader(fromBase64Url(text));
  } catch (error) {
    if (isE2eError(error)) throw new ParleyError('E2E_BAD_MESSAGE', `Not an MLS message: ${error.message}`);
    throw error;
  }
}

async function requireGroup(server: ServerContext, conv: string, groupId?: string): Promise<E2eGroupRecord> {
  return checkGroup(await server.store.e2e.groupOfConv(conv), groupId);
}

function checkGroup(group: E2eGroupRecord | undefined, groupId?: string): E2eGroupRecord {
  if (!group) throw new ParleyError('E2E_NO_GROUP', 'The conversation has no encrypted group yet: EGROUP makes one');
  if (groupId !== undefined && group.groupId !== groupId) {
    throw new ParleyError('E2E_BAD_MESSAGE', `The conversation's group is ${group.groupId}, not ${groupId}`, { detail: { group: group.groupId, epoch: group.epoch } });
  }
  return group;
}

const notMember = () => new ParleyError('E2E_NOT_MEMBER', "This device is not a member of the conversation's group: wait for its Welcome");

async function requireMember(server: ServerContext, group: E2eGroupRecord, device: GroupDevice): Promise<void> {
  if (!(await server.store.e2e.isGroupMember(group.groupId, device))) throw notMember();
}

async function groupInfo(server: ServerContext, group: E2eGroupRecord): Promise<ReplyData['egroupinfo']> {
  const members = await server.store.e2e.groupMembers(group.groupId);
  return { conv: group.conv, group: group.groupId, epoch: group.epoch, members: members.map((m) => ({ user_id: m.userId, device_id: m.deviceId })) };
}

export async function createGroup(actor: Actor, args: CommandArgs<'egroup'>): Promise<ReplyData['egroup']> {
  const { server, session } = actor;
  const device = requireDevice(session);
  const destination = await encryptedDestination(actor, args.to);
  const input = { groupId: args.group, conv: destination.conv, tree: '', creator: device, createdAt: Date.now() };
  forgetGroup(server, destination.conv);
  try {
    const created = await server.store.e2e.createGroup(input);
    forgetGroup(server, destination.conv);
    return await groupInfo(server, created);
  } catch (error) {
    if (!(error instanceof StoreError && error.code === 'conflict')) throw error;
    const existing = await server.store.e2e.groupOfConv(destination.conv);
    if (!existing) throw new ParleyError('E2E_GROUP_EXISTS', 'That group id is taken; make another');
    if (!(await isAbandoned(server, existing))) {
      throw new ParleyError('E2E_GROUP_EXISTS', `The conversation has an encrypted group already (epoch ${existing.epoch})`, { detail: { group: existing.groupId, epoch: existing.epoch } });
    }
    // Nobody can ever commit to it again: a new group takes the conversation over.
    await server.store.e2e.deleteGroupOfConv(destination.conv);
    const replaced = await server.store.e2e.createGroup(input);
    forgetGroup(server, destination.conv);
    return groupInfo(server, replaced);
  }
}

/** A group none of whose member devices is registered any more (every member reset or removed its devices). */
async function isAbandoned(server: ServerContext, group: E2eGroupRecord): Promise<boolean> {
  const members = await server.store.e2e.groupMembers(group.groupId);
  for (const userId of new Set(members.map((m) => m.userId))) {
    const registered = new Set((await server.store.e2e.devices(userId)).map((d) => d.deviceId));
    if (members.some((m) => m.userId === userId && registered.has(m.deviceId))) return false;
  }
  return true;
}

export async function describePeople(actor: Actor, to: string): Promise<ReplyData['emembers']> {
  const destination = await encryptedDestination(actor, to);
  const people = await conversationPeople(actor, destination);
  return { conv: destination.conv, members: [...people].map(([id, name]) => ({ user_id: id, name })) };
}

export async function describeGroup(actor: Actor, to: string): Promise<ReplyData['egroupinfo']> {
  const destination = await encryptedDestination(actor, to);
  return groupInfo(actor.server, await requireGroup(actor.server, destination.conv));
}

/** Added devices must be registered devices of the conversation's people. */
async function checkAdded(server: ServerContext, people: ReadonlyMap<string, string>, added: readonly GroupDevice[]): Promise<void> {
  for (const device of added) {
    if (!people.has(device.userId)) throw new ParleyError('E2E_NOT_MEMBER', `${device.userId} is not in this conversation`);
  }
  for (const userId of new Set(added.map((d) => d.userId))) {
    const registered = new Set((await server.store.e2e.devices(userId)).map((d) => d.deviceId));
    const unknown = added.find((d) => d.userId === userId && !registered.has(d.deviceId));
    if (unknown) throw new ParleyError('E2E_NOT_MEMBER', `${unknown.userId} has no registered device ${unknown.deviceId}`);
  }
}

const toDevices = (list: CommandArgs<'ecommit'>['added']): GroupDevice[] => list.map((d) => ({ userId: d.user_id, deviceId: d.device_id }));

export async function commitToGroup(actor: Actor, args: CommandArgs<'ecommit'>): Promise<ReplyData['ecommit']> {
  const { server, session } = actor;
  const device = requireDevice(session);
  const destination = await encryptedDestination(actor, args.to);
  const group = await requireGroup(server, destination.conv, args.group);
  const head = header(args.commit);
  if (head.contentType !== 'commit' || toBase64Url(head.groupId) !== group.groupId || head.epoch !== args.epoch) {
    throw new ParleyError('E2E_BAD_MESSAGE', `Expected a commit of group ${group.groupId} for epoch ${args.epoch}`);
  }
  if (args.epoch !== group.epoch) throw epochConflict(group.groupId, group.epoch);
  await requireMember(server, group, device);
  const added = toDevices(args.added);
  if (added.length > 0) await checkAdded(server, await conversationPeople(actor, destination), added);
  if (added.length > 0 && args.welcome === undefined) throw new ParleyError('BAD_ARGUMENTS', 'A commit that adds devices carries their Welcome');
  if (args.welcome !== undefined) checkWelcome(args.welcome);
  const tree = commitTree(session, args);
  const message = newMessageFor(actor, destination, { text: args.commit, kind: 'mls_commit' });
  forgetGroup(server, destination.conv);
  const result = await server.store.e2e.commitGroup({
    groupId: group.groupId,
    epoch: args.epoch,
    ...(tree === undefined ? {} : { tree }),
    added,
    removed: toDevices(args.removed),
    message,
    ...(args.welcome === undefined ? {} : { welcome: args.welcome }),
  });
  // Again after: an ESEND that read the store while the commit was in flight must not keep the old epoch.
  forgetGroup(server, destination.conv);
  if (!result.accepted) throw epochConflict(group.groupId, result.epoch);
  server.metrics.messages.inc(1);
  const receipt = committedMessage(actor, destination, { message: result.message, duplicate: false, queued: message.pendingFor });
  if (args.welcome !== undefined && tree !== undefined) {
    const welcome: E2eWelcome = { conv: destination.conv, group: group.groupId, epoch: result.epoch, seq: receipt.seq, welcome: args.welcome, tree };
    for (const joiner of added) for (const target of sessionsOfDevice(server, joiner)) target.deliver(new OutboundEvent({ ev: 'welcome', ...welcome }));
  }
  return { conv: destination.conv, seq: receipt.seq, epoch: result.epoch };
}

/** The ratchet tree a commit carries, inline or sent ahead in parts: required with a Welcome (the joiners need it), kept otherwise only if sent. */
function commitTree(session: Session, args: CommandArgs<'ecommit'>): string | undefined {
  if (args.tree !== undefined && args.tree_parts !== undefined) throw new ParleyError('BAD_ARGUMENTS', 'A commit carries its tree inline or in parts, not both');
  const tree = args.tree_parts === undefined ? args.tree : takeTree(session, { group: args.group, epoch: args.epoch, count: args.tree_parts });
  if (args.welcome !== undefined && tree === undefined) throw new ParleyError('BAD_ARGUMENTS', 'A commit with a Welcome carries the ratchet tree the joiners need');
  return tree;
}

function epochConflict(groupId: string, epoch: number): ParleyError {
  return new ParleyError('E2E_EPOCH_CONFLICT', `The group is at epoch ${epoch}: process the newer commits, then commit again`, { detail: { group: groupId, epoch } });
}

function checkWelcome(text: string): void {
  try {
    assertWelcome(fromBase64Url(text));
  } catch (error) {
    if (isE2eError(error)) throw new ParleyError('E2E_BAD_MESSAGE', `Not a Welcome: ${error.message}`);
    throw error;
  }
}

/** An encrypted message: from a member device, for the group's current epoch, or refused. */
export async function sendEncrypted(actor: Actor, args: CommandArgs<'esend'>): Promise<ReplyData['esend']> {
  const { server, session } = actor;
  const device = requireDevice(session);
  const head = header(args.data);
  if (head.wireformat !== 'mls_private_message' || head.contentType !== 'application') {
    throw new ParleyError('E2E_BAD_MESSAGE', 'ESEND carries an MLS PrivateMessage with application data');
  }
  const destination = await encryptedDestination(actor, args.to);
  const cached = await cachedGroup(server, destination.conv, destination.room);
  const group = checkGroup(cached?.group, toBase64Url(head.groupId));
  if (head.epoch !== group.epoch) {
    throw new ParleyError('E2E_WRONG_EPOCH', `The group is at epoch ${group.epoch}; the message is for ${head.epoch}`, { detail: { group: group.groupId, epoch: group.epoch } });
  }
  if (!cached?.members.has(deviceKey(device))) throw notMember();
  await checkNoLeavers(actor, destination, { group, members: cached.members });
  const message = newMessageFor(actor, destination, { text: args.data, kind: 'mls', cmid: args.cmid });
  const stored = await server.writer.append(message);
  server.metrics.messages.inc(1);
  return { sent: [committedMessage(actor, destination, { ...stored, queued: message.pendingFor })] };
}

const toWelcome = (w: WelcomeRecord): E2eWelcome => ({ conv: w.conv, group: w.groupId, epoch: w.epoch, seq: w.seq, welcome: w.welcome, tree: w.tree });

export async function pendingWelcomes(actor: Actor): Promise<ReplyData['welcomes']> {
  const device = requireDevice(actor.session);
  return { welcomes: (await actor.server.store.e2e.welcomesFor(device)).map(toWelcome) };
}

export async function acknowledgeWelcome(actor: Actor, groupId: string): Promise<ReplyData['welcomeack']> {
  const device = requireDevice(actor.session);
  await actor.server.store.e2e.deleteWelcome(device, groupId);
  return { group: groupId };
}
