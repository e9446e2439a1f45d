import { foldName, isRoomTarget } from '@parley/protocol';
import { ParleyClientError } from '../errors.ts';
import type { ClientReceipt } from '../pending-sends.ts';
import type { ChangeKind, Payload } from './archive.ts';
import { isClientError, withReconnect, type E2eEnv } from './context.ts';
import { resolveRoomTarget, resolveTarget } from './directory.ts';
import { newCmid, sendEncrypted } from './outbound.ts';

/** What E2eClient's sends need: the shared state, and a look at whether this device was removed. */
export interface Sends {
  env: E2eEnv;
  checkRemoved(): Promise<ParleyClientError | undefined>;
}

/**
 * One encrypted message to one person or encrypted room, under one cmid for every attempt (a
 * resend after a lost reply is stored once). Sends to one name go out in the order they were
 * made; the encryption itself is a task of the conversation's queue.
 */
export function sendPayload(sends: Sends, name: string, message: { payload: Payload; check?: (conv: string) => Promise<void> }): Promise<ClientReceipt[]> {
  const { payload, check } = message;
  const cmid = newCmid();
  const { env } = sends;
  return env.queues.run(`send:${foldName(name)}`, () =>
    withReconnect(env, async () => {
      await env.gate.wait();
      const target = isRoomTarget(name) ? await resolveRoomTarget(env, name) : await resolveTarget(env, name);
      await check?.(target.conv);
      return env.queues.run(target.conv, () => withReconnect(env, () => sendEncrypted(env, target, { payload, cmid })));
    }).catch(async (error: unknown) => {
      // The server forgot this connection's device: removed by another device of the user?
      throw (isClientError(error, 'E2E_NO_DEVICE') && (await sends.checkRemoved())) || error;
    }),
  );
}

/**
 * An edit or a reaction inside the encryption (e2e.sendChange). No server can tell whose
 * message an encrypted one is, so an edit of one this device knows someone else wrote (its
 * archive has the signer) is refused here; receivers check the same.
 */
export async function sendChange(sends: Sends, to: string, change: { kind: ChangeKind; ref: number; text: string }): Promise<ClientReceipt & { ref: number }> {
  const { env } = sends;
  const check = async (conv: string) => {
    const original = change.kind === 'edit' ? await env.archive.get(conv, change.ref) : undefined;
    if (original?.sender !== undefined && original.sender !== env.self().userId) throw ParleyClientError.named('NOT_YOUR_MESSAGE', 'Only its author edits a message');
  };
  const [receipt] = await sendPayload(sends, to, { payload: change, check });
  if (!receipt) throw ParleyClientError.local('E2E_FAILED', 'The change was not stored');
  return { ...receipt, ref: change.ref };
}
