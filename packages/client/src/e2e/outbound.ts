import { toBase64Url, type GroupMember } from '@parley/e2e';
import { ParleyClientError } from '../errors.ts';
import type { ClientReceipt } from '../pending-sends.ts';
import { encodePayload, type Payload } from './archive.ts';
import { call, isClientError, type E2eEnv } from './context.ts';
import type { Directory, Target } from './directory.ts';
import { reconcile } from './group-ops.ts';
import { catchUp } from './inbound.ts';

const MAX_ATTEMPTS = 6;

/** A client message id: a resend after a lost reply is stored once. */
export function newCmid(): string {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A DM goes out only when the other person can read it. */
function checkPeer(target: Target, directory: Directory, members: readonly GroupMember[]): void {
  if (directory.peerChanged) {
    throw ParleyClientError.local('E2E_PEER_IDENTITY_CHANGED', `${target.name}'s identity key changed: compare safety numbers, then accept it (e2e.acceptIdentity)`);
  }
  if (!directory.peerHasDevices) throw ParleyClientError.local('E2E_PEER_UNENCRYPTED', `${target.name} has no end-to-end devices any more`);
  // Registered devices, but none could be added (no KeyPackage left): the message would reach only this user.
  if (!members.some((m) => m.userId === target.peerId)) {
    throw ParleyClientError.local('E2E_FAILED', `None of ${target.name}'s devices could be added to the conversation's group yet; try again later`);
  }
}

/**
 * One encrypted message (a DM, or to an encrypted room), inside the conversation's queue task: the group made right (every device of
 * both people a member), the payload encrypted, the group state saved (the key generation it
 * used must never be used again), then ESEND with the caller's cmid (a resend after a lost reply
 * is stored once). A message for an epoch the group has left meanwhile (E2E_WRONG_EPOCH) is
 * encrypted again after reading the newer commits. The plaintext goes to the archive under the
 * seq the server gave it: this device cannot decrypt its own messages. A payload's `ref` (a
 * reply, an edit, a reaction) goes in cleartext too, for the server to check.
 */
export async function sendEncrypted(env: E2eEnv, target: Target, message: { payload: Payload; cmid: string }): Promise<ClientReceipt[]> {
  const state = await env.convs.get(target.conv);
  for (let attempt = 1; ; attempt++) {
    // After a refusal, nothing local is taken on trust: the group and both directory entries are read again.
    const directory = await reconcile(env, state, { ...target, trustLocal: attempt === 1, sending: true });
    const group = state.group;
    if (!group) throw ParleyClientError.local('E2E_FAILED', 'The conversation has no group');
    if (target.peerId !== undefined) checkPeer(target, directory, group.members());
    const data = await group.encrypt(encodePayload(message.payload));
    await env.convs.save(state);
    try {
      const ref = message.payload.ref === undefined ? {} : { ref: message.payload.ref };
      const { sent } = await call(env, 'esend', { to: target.name, data: toBase64Url(data), cmid: message.cmid, ...ref });
      const self = env.self();
      for (const receipt of sent) {
        await env.archive.put(receipt.conv, receipt.seq, { ...message.payload, from: self.name, to: receipt.to, ts: Date.now(), sender: self.userId });
        state.meta.own.push(receipt.seq);
      }
      await env.convs.save(state);
      for (const receipt of sent) env.hooks.advance(receipt.conv, receipt.seq);
      return sent.map((receipt) => ({ ...receipt, cmid: message.cmid }));
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isClientError(error, 'E2E_WRONG_EPOCH', 'E2E_NOT_MEMBER', 'E2E_NO_GROUP', 'E2E_MEMBERS_CHANGED')) throw error;
      if (target.peerId === undefined) env.directory.forgetRoom(target.name);
      else env.directory.forget(target.peerId);
      env.directory.forget(env.self().userId);
      await catchUp(env, state);
    }
  }
}
