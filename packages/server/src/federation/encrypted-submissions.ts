import { ParleyError } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import type { Room } from '../chat/room.ts';
import { checkEncryptedMessage } from '../e2e/group-ds.ts';
import type { Submission } from './envelope.ts';

/** Why an encrypted message (or a commit, which comes by ECOMMIT only) is not taken from another server's user, or undefined. */
export async function encryptedRefusal(server: ServerContext, input: { conv: string; room: Room | undefined; senderId: string; s: Submission }): Promise<ParleyError | undefined> {
  const { s } = input;
  if (s.kind === 'mls_commit') return new ParleyError('E2E_BAD_MESSAGE', 'A commit is ordered by ECOMMIT, not sent as a message');
  if (s.kind !== 'mls') {
    if (!input.room?.modes.encrypted) return undefined;
    return new ParleyError('E2E_ROOM_ENCRYPTED', `${input.room.name} is end-to-end encrypted: its messages go through a client with encryption`);
  }
  if (input.room && !input.room.modes.encrypted) return new ParleyError('E2E_NOT_ENCRYPTED', `${input.room.name} is not end-to-end encrypted`);
  if (s.dev === undefined) return new ParleyError('E2E_NO_DEVICE', 'An encrypted message names its device');
  try {
    await checkEncryptedMessage(server, { conv: input.conv, room: input.room, device: { userId: input.senderId, deviceId: s.dev }, text: s.text });
    return undefined;
  } catch (error) {
    if (error instanceof ParleyError) return error;
    throw error;
  }
}

