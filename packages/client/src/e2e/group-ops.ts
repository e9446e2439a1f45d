import { fromBase64Url, inspectKeyPackage, MlsGroup, toBase64Url, type CommitOutput, type GroupMember, type KeyPackageInfo } from '@parley/e2e';
import { MAX_INLINE_COMMIT_TEXT, TREE_PART_TEXT, type E2eGroupInfo } from '@parley/protocol';
import { ParleyClientError } from '../errors.ts';
import { bytesEqual, call, isClientError, isTransient, reportError, type E2eEnv } from './context.ts';
import type { ConvState } from './conversations.ts';
import type { LocalDevice } from './device-setup.ts';
import { readDirectory, type Directory, type ExpectedDevice, type Target } from './directory.ts';
import { catchUp } from './inbound.ts';
import { joinWelcome, pendingWelcome } from './welcome.ts';

/**
 * Keeping a conversation's group right: it exists, this device is in it at the server's epoch,
 * and its members are exactly the registered devices of its people (a DM's two, an encrypted
 * room's members): new ones added, gone ones removed.
 * Each step runs inside the conversation's queue task. One commit per epoch wins on the server;
 * a device that loses reads the winner and plans again.
 */
type WireDevice = { user_id: string; device_id: string };

/** How long an operation waits for this device to be added by a member (their client does it on `e2e_devices`). */
const WELCOME_WAIT_MS = 20_000;
const MAX_ROUNDS = 6;
/** About 450 bytes a KeyPackage: 32 of them make a commit of some 20 KiB of text. */
const MAX_ADDS_PER_COMMIT = 32;
/**
 * Post-compromise security: a device replaces the keys of its own path with an empty commit when
 * it joined (an Add carries no fresh keys of the joiner, E2E.md pitfall 8) and then at least this
 * often, so keys stolen from it stop opening new messages. Done before it next sends.
 */
export const UPDATE_INTERVAL_MS = 7 * 24 * 3600_000;

const wire = (d: { userId: string; deviceId: string }): WireDevice => ({ user_id: d.userId, device_id: d.deviceId });
const isSelf = (d: { userId: string; deviceId: string }, self: LocalDevice) => d.userId === self.userId && d.deviceId === self.deviceId;

async function groupInfo(env: E2eEnv, target: Target): Promise<E2eGroupInfo | undefined> {
  try {
    return await call(env, 'egroupinfo', { to: target.name });
  } catch (error) {
    if (isClientError(error, 'E2E_NO_GROUP')) return undefined;
    throw error;
  }
}

/** Waits for a member to add this device, then joins and reads what came after its Welcome. */
async function awaitWelcome(env: E2eEnv, state: ConvState): Promise<MlsGroup> {
  const deadline = Date.now() + WELCOME_WAIT_MS;
  for (;;) {
    const welcome = await pendingWelcome(env, state.meta.conv);
    if (welcome) await joinWelcome(env, state, welcome);
    if (welcome && state.group?.active && state.meta.group === welcome.group) {
      await catchUp(env, state);
      return state.group;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw ParleyClientError.local('E2E_FAILED', "E2E_NOT_MEMBER: this device is not in the conversation's encrypted group yet, and no member device added it (they do when they are online)");
    }
    await env.welcomes.wait(state.meta.conv, left);
  }
}

/**
 * EGROUP: a new group with this device its only member. The state is saved before the group id
 * leaves the device, so a lost reply makes the same group again instead of orphaning it.
 */
async function createGroup(env: E2eEnv, state: ConvState, target: Target): Promise<MlsGroup> {
  if (!state.group || !state.meta.unregistered) {
    const group = await MlsGroup.create(env.device().mls, env.mls);
    // Nothing before the group is MLS: reading starts at the conversation's newest message.
    const { messages } = await call(env, 'history', { with: target.name, limit: 1 });
    const seq = messages.at(-1)?.seq ?? 0;
    state.group = group;
    state.buffer = [];
    // Its keys are all fresh: the first update is due an interval from now.
    state.meta = { ...state.meta, group: toBase64Url(group.groupId), processed: seq, joinedSeq: seq, own: [], unregistered: true, updatedAt: Date.now() };
    await env.convs.save(state);
  }
  try {
    await call(env, 'egroup', { to: target.name, group: state.meta.group ?? '' });
  } catch (error) {
    if (!isClientError(error, 'E2E_GROUP_EXISTS') || error.detail?.group === state.meta.group) throw error;
    // Someone made the conversation's group first: this device is added to theirs.
    state.group = undefined;
    delete state.meta.group;
    delete state.meta.unregistered;
    await env.convs.save(state);
    return awaitWelcome(env, state);
  }
  delete state.meta.unregistered;
  await env.convs.save(state);
  return state.group;
}

/** The conversation's group, with this device a member at the server's current epoch. */
export async function ensureGroup(env: E2eEnv, state: ConvState, target: Target & { trustLocal?: boolean }): Promise<MlsGroup> {
  state.meta.peer = target.name;
  // The usual send: this device is in the group and has nothing pending. If the server's epoch
  // moved on meanwhile, ESEND says so (E2E_WRONG_EPOCH) and the send reads the commits and retries.
  if (target.trustLocal && state.group?.active && !state.group.hasPendingCommit && state.meta.group !== undefined && !state.meta.unregistered) return state.group;
  const info = await groupInfo(env, target);
  if (!info) return createGroup(env, state, target);
  const group = state.group;
  if (!group?.active || state.meta.group !== info.group) return awaitWelcome(env, state);
  delete state.meta.unregistered;
  if (group.epoch < info.epoch || group.hasPendingCommit) await catchUp(env, state);
  if (group.hasPendingCommit) {
    // Neither it nor a rival came back: the server never took it (its reply was lost with the connection).
    await group.discardCommit();
    await env.convs.save(state);
  }
  if (!group.active) return awaitWelcome(env, state);
  return group;
}

/**
 * ECOMMIT, with the pending commit saved before it leaves. Accepted: adopted. Refused: dropped
 * (E2E_EPOCH_CONFLICT goes to the caller, who reads the winner). Lost with the connection: left
 * pending, and the next ensureGroup learns from history whether it won.
 */
async function publish(env: E2eEnv, state: ConvState, input: { target: Target; output: CommitOutput; added: WireDevice[]; removed: WireDevice[] }): Promise<void> {
  const group = state.group;
  if (!group) throw new Error('publish without a group');
  const { output, target } = input;
  await env.convs.save(state);
  let reply;
  try {
    const commit = toBase64Url(output.commit);
    const welcome = output.welcome && toBase64Url(output.welcome.welcome);
    // Only joiners need the tree: it goes with a Welcome, inline or (a large group's) in parts ahead.
    const tree = output.welcome && (await sendTree(env, { group: state.meta.group ?? '', epoch: output.epoch, tree: toBase64Url(output.welcome.ratchetTree), inline: commit.length + (welcome?.length ?? 0) }));
    reply = await call(env, 'ecommit', {
      to: target.name,
      group: state.meta.group ?? '',
      epoch: output.epoch,
      commit,
      ...tree,
      added: input.added,
      removed: input.removed,
      ...(welcome === undefined ? {} : { welcome }),
    });
  } catch (error) {
    if (isTransient(error)) throw error;
    await group.discardCommit();
    await env.convs.save(state);
    throw error;
  }
  await group.confirmCommit();
  state.meta.own.push(reply.seq);
  await env.convs.save(state);
  env.hooks.advance(reply.conv, reply.seq);
  const refs = (list: WireDevice[]) => list.map((d) => ({ userId: d.user_id, deviceId: d.device_id }));
  env.hooks.emit('e2e_group', { conv: reply.conv, epoch: group.epoch, added: refs(input.added), removed: refs(input.removed) });
}

/** The tree inline when the commit's frame has room for it (`inline`: the commit's and Welcome's length), else its parts. */
export function planTree(tree: string, inline: number): { tree: string } | { parts: string[] } {
  if (inline + tree.length <= MAX_INLINE_COMMIT_TEXT) return { tree };
  const parts: string[] = [];
  for (let at = 0; at < tree.length; at += TREE_PART_TEXT) parts.push(tree.slice(at, at + TREE_PART_TEXT));
  return { parts };
}

/** Sends a tree too long for the commit's frame ahead by ETREEPART; what ECOMMIT then says about it. */
async function sendTree(env: E2eEnv, input: { group: string; epoch: number; tree: string; inline: number }): Promise<{ tree: string } | { tree_parts: number }> {
  const plan = planTree(input.tree, input.inline);
  if ('tree' in plan) return plan;
  const count = plan.parts.length;
  for (const [index, data] of plan.parts.entries()) await call(env, 'etreepart', { group: input.group, epoch: input.epoch, index, count, data });
  return { tree_parts: count };
}

/** A claimed KeyPackage is used only when it is the expected device's (same certified key). */
async function checkedPackage(env: E2eEnv, input: { text: string; device: ExpectedDevice; conv: string }): Promise<Uint8Array | undefined> {
  const bytes = fromBase64Url(input.text);
  let info: KeyPackageInfo;
  try {
    info = await inspectKeyPackage(bytes, env.mls);
  } catch (error) {
    reportError(env, error, { conv: input.conv });
    return undefined;
  }
  const { device } = input;
  return info.userId === device.userId && info.deviceId === device.deviceId && bytesEqual(info.deviceKey, device.deviceKey) ? bytes : undefined;
}

/** KPCLAIM for each user, then one commit adding every device that had a package. */
async function addDevices(env: E2eEnv, state: ConvState, input: { target: Target; devices: ExpectedDevice[] }): Promise<void> {
  const group = state.group;
  if (!group) return;
  const packages: Uint8Array[] = [];
  const added: WireDevice[] = [];
  for (const name of new Set(input.devices.map((d) => d.name))) {
    const wanted = input.devices.filter((d) => d.name === name);
    const claim = await call(env, 'kpclaim', { name, device_ids: wanted.map((d) => d.deviceId) });
    for (const claimed of claim.packages) {
      const device = wanted.find((d) => d.deviceId === claimed.device_id && d.userId === claim.user_id);
      const bytes = device && (await checkedPackage(env, { text: claimed.key_package, device, conv: state.meta.conv }));
      if (!device || !bytes) continue;
      packages.push(bytes);
      added.push(wire(device));
    }
  }
  // Each KeyPackage rides in the commit: a room filling up at once is added a batch per commit, so each fits a frame.
  for (let at = 0; at < packages.length; at += MAX_ADDS_PER_COMMIT) {
    const batch = packages.slice(at, at + MAX_ADDS_PER_COMMIT);
    await publish(env, state, { target: input.target, output: await group.commitAdd(batch), added: added.slice(at, at + MAX_ADDS_PER_COMMIT), removed: [] });
  }
}

function planChanges(members: GroupMember[], expected: ExpectedDevice[], self: LocalDevice): { remove: GroupMember[]; add: ExpectedDevice[] } {
  const same = (m: GroupMember, d: ExpectedDevice) => m.userId === d.userId && m.deviceId === d.deviceId && bytesEqual(m.deviceKey, d.deviceKey);
  return {
    remove: members.filter((m) => !isSelf(m, self) && !expected.some((d) => same(m, d))),
    add: expected.filter((d) => !isSelf(d, self) && !members.some((m) => same(m, d))),
  };
}

/** Whether this device's update commit is due in the conversation (see updateIfDue). */
export function updateDue(state: ConvState, sending: boolean): boolean {
  const { updatedAt, joinedAt } = state.meta;
  const since = updatedAt ?? (sending ? undefined : joinedAt);
  return since === undefined ? sending : Date.now() - since >= UPDATE_INTERVAL_MS;
}

/**
 * The empty commit, when it is due: before a joiner first sends, and UPDATE_INTERVAL_MS after the
 * last one (or the join). In the background (a reconcile nobody sends after) only the periodic
 * one: in a room of n members every joiner's update costs each of the others a commit to
 * process, and doing them all when a join makes everyone reconcile is n² work at once.
 */
async function updateIfDue(env: E2eEnv, state: ConvState, input: { target: Target; sending: boolean }): Promise<void> {
  const group = state.group;
  if (!group || !updateDue(state, input.sending)) return;
  const now = Date.now();
  const { target } = input;
  await publish(env, state, { target, output: await group.commitUpdate(), added: [], removed: [] });
  state.meta.updatedAt = now;
  await env.convs.save(state);
}

/**
 * Makes the group's members the devices the directory lists for the conversation's people: removals first (a
 * lost device stops reading at once), then additions. Returns the directory it planned from.
 */
export async function reconcile(env: E2eEnv, state: ConvState, target: Target & { trustLocal?: boolean; sending?: boolean }): Promise<Directory> {
  for (let round = 0; ; round++) {
    const group = await ensureGroup(env, state, { ...target, trustLocal: round === 0 && target.trustLocal === true });
    const directory = await readDirectory(env, target);
    const plan = planChanges(group.members(), directory.expected, env.device());
    try {
      if (plan.remove.length === 0 && plan.add.length === 0) {
        await updateIfDue(env, state, { target, sending: target.sending === true });
        return directory;
      }
      if (plan.remove.length > 0) {
        const removed = plan.remove.map(wire);
        await publish(env, state, { target, output: await group.commitRemove(plan.remove), added: [], removed });
      }
      if (plan.add.length > 0) await addDevices(env, state, { target, devices: plan.add });
      return directory;
    } catch (error) {
      if (!isClientError(error, 'E2E_EPOCH_CONFLICT') || round >= MAX_ROUNDS) throw error;
      // Another device's commit won this epoch: read it (detail.epoch is where the group is now), then plan again.
      await catchUp(env, state);
    }
  }
}
