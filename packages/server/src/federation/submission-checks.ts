import { ParleyError } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import type { Room } from '../chat/room.ts';
import { checkEncryptedMessage } from '../e2e/group-ds.ts';
import { isReaction } from '../chat/message-changes.ts';
import { requireMessage } from '../chat/message-fold.ts';
import type { Submission } from './envelope.ts';

/** Why an encrypted message (or a commit, which comes by ECOMMIT only) is not taken from another server's user, or undefined. */
/**
 * Why an edit, redaction or reaction from another server's user is not taken, or undefined: it
 * must be about a message of the room, an edit or redaction about the sender's own message (the
 * home's moderators redact others'), a reaction one emoji.
 */
export async function changeRefusal(server: ServerContext, input: { conv: string; senderId: string; s: Submission }): Promise<ParleyError | undefined> {
  const { s } = input;
  if (s.kind !== 'edit' && s.kind !== 'redact' && s.kind !== 'react' && s.kind !== 'unreact') return undefined;
  if (s.ref === undefined) return new ParleyError('BAD_ARGUMENTS', `A ${s.kind} names the message it is about`);
  try {
    const original = await requireMessage(server, input.conv, s.ref);
    if ((s.kind === 'edit' || s.kind === 'redact') && original.senderId !== input.senderId) return new ParleyError('NOT_YOUR_MESSAGE', 'Only its author edits or redacts a message from another server');
    if ((s.kind === 'react' || s.kind === 'unreact') && !isReaction(s.text)) return new ParleyError('REACTION_INVALID', 'A reaction is one emoji');
    return undefined;
  } catch (error) {
    if (error instanceof ParleyError) return error;
    throw error;
  }
}

export async function encryptedRefusal(server: ServerContext, input: { conv: string; room: Room | undefined; senderId: string; s: Submission }): Promise<ParleyError | undefined> {
  const { s } = input;
  if (s.kind === 'mls_commit') return new ParleyError('E2E_BAD_MESSAGE', 'A commit is ordered by ECOMMIT, not sent as a message');
  if (s.kind !== 'mls') {
    // A redaction carries no content: moderators' and authors' ones are taken in encrypted rooms too.
    if (!input.room?.modes.encrypted || s.kind === 'redact') return undefined;
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

