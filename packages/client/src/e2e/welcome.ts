import { fromBase64Url, MlsGroup, welcomeRecipients } from '@parley/e2e';
import type { E2eWelcome } from '@parley/protocol';
import { call, reportError, type E2eEnv } from './context.ts';
import type { ConvState } from './conversations.ts';
import { consumeBundle, findBundle, replenishKeyPackages } from './key-packages.ts';

/**
 * Joining a conversation's group from a Welcome: the device that added this one sent it with the
 * ratchet tree; it opens with the KeyPackage bundle it names. Messages up to the Welcome's `seq`
 * are from before this device joined and are not read.
 */

/** The newest Welcome waiting for this device in the conversation, if any. */
export async function pendingWelcome(env: E2eEnv, conv: string): Promise<E2eWelcome | undefined> {
  const { welcomes } = await call(env, 'welcomes', {});
  return welcomes.filter((w) => w.conv === conv).sort((a, b) => b.epoch - a.epoch)[0];
}

function alreadyIn(state: ConvState, welcome: E2eWelcome): boolean {
  const { group, meta } = state;
  return group !== undefined && group.active && meta.group === welcome.group && group.epoch >= welcome.epoch;
}

/**
 * Joins (or rejoins, after a removal) from `welcome`. True when the state changed: the caller
 * then reads the conversation after `state.meta.processed`. A Welcome that cannot be used is
 * reported and acknowledged, so the server does not keep offering it.
 */
export async function joinWelcome(env: E2eEnv, state: ConvState, welcome: E2eWelcome): Promise<boolean> {
  const { conv } = welcome;
  if (alreadyIn(state, welcome)) {
    await call(env, 'welcomeack', { group: welcome.group });
    return false;
  }
  const bytes = fromBase64Url(welcome.welcome);
  const found = await findBundle(env, welcomeRecipients(bytes));
  if (!found) {
    reportError(env, Object.assign(new Error('A Welcome names no KeyPackage this device has'), { code: 'E2E_NO_KEY_PACKAGE' }), { conv, seq: welcome.seq });
    await call(env, 'welcomeack', { group: welcome.group });
    return false;
  }
  let group: MlsGroup;
  try {
    group = await MlsGroup.join({ welcome: bytes, ratchetTree: fromBase64Url(welcome.tree), bundle: found.bundle }, env.mls);
  } catch (error) {
    // An untrusted identity in the tree, say: the Welcome stays on the server for after acceptIdentity.
    reportError(env, error, { conv, seq: welcome.seq });
    return false;
  }
  state.group = group;
  state.buffer = [];
  state.meta = { ...state.meta, group: welcome.group, processed: welcome.seq, joinedSeq: welcome.seq, own: [] };
  delete state.meta.unregistered;
  // A joiner's path keys came from whoever added it: replaced by its first update (group-ops.ts).
  delete state.meta.updatedAt;
  state.meta.joinedAt = Date.now();
  await env.convs.save(state);
  await consumeBundle(env, found.ref);
  await call(env, 'welcomeack', { group: welcome.group });
  const self = env.device();
  env.hooks.emit('e2e_group', { conv, epoch: group.epoch, added: [{ userId: self.userId, deviceId: self.deviceId }], removed: [], joined: true });
  // A one-time package was used up: top them up (in the background, its own queue).
  replenishKeyPackages(env, self).catch((error: unknown) => reportError(env, error, {}));
  return true;
}
