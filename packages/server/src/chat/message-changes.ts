import { ALL_TARGET, ParleyError, REACTION_MAX_BYTES, REACTIONS_PER_MESSAGE_MAX, type CommandArgs, type ReplyData } from '@parley/protocol';
import type { Actor, ServerContext } from '../core/context.ts';
import type { StoredMessage } from '../store/store.ts';
import { audit } from '../moderation/audit.ts';
import { checkCanSpeak } from '../moderation/room-policy.ts';
import { atLeast, roomAtLeast } from '../moderation/roles.ts';
import { messageFold, requireMessage } from './message-fold.ts';
import { deliverMessages, resolveTarget, type Destination, type MessageContent, type SentReceipt } from './send.ts';

/**
 * Edits, redactions and reactions: each a message of the conversation (kind `edit`, `redact`,
 * `react` or `unreact`) whose `ref` is the message it is about, stored and delivered as messages
 * are, so cursors, resume, offline queues and other servers carry them. The rules are checked
 * here; history shows the result (message-fold.ts). In an encrypted room they travel inside the
 * ciphertext instead (ESEND with `ref`): the server only sees that a message refers to another,
 * and refuses these plaintext forms there, except a redaction, which carries no content.
 */

/** The one conversation an edit, redaction or reaction is in: a room you are in, or one of your direct conversations. */
async function conversationOf(actor: Actor, to: string): Promise<Destination> {
  if (to.toUpperCase() === ALL_TARGET) throw new ParleyError('BAD_ARGUMENTS', 'Messages to ALL are not edited, redacted or reacted to');
  return resolveTarget(actor.server, actor.user, { target: to, mustBeMember: true });
}

function refuseEncrypted(destination: Destination): void {
  if (destination.room?.modes.encrypted) {
    throw new ParleyError('E2E_ROOM_ENCRYPTED', `${destination.label} is end-to-end encrypted: edits and reactions travel inside its ciphertext (a client with encryption does this)`);
  }
}

function receipt(sent: SentReceipt | undefined, ref: number): ReplyData['edit'] {
  if (!sent) throw new ParleyError('INTERNAL', 'The change was not stored');
  return { ...sent, ref };
}

async function deliverOne(actor: Actor, destination: Destination, content: MessageContent & { ref: number }): Promise<ReplyData['edit']> {
  const [sent] = await deliverMessages(actor, [destination], content);
  return receipt(sent, content.ref);
}

export async function editMessage(actor: Actor, args: CommandArgs<'edit'>): Promise<ReplyData['edit']> {
  const { server, user } = actor;
  const { limits, messages } = server.config;
  const destination = await conversationOf(actor, args.to);
  refuseEncrypted(destination);
  if (destination.room) checkCanSpeak(actor, destination.room);
  if (args.text.trim() === '') throw new ParleyError('TEXT_EMPTY', 'An edit has text: REDACT deletes a message');
  if (Buffer.byteLength(args.text) > limits.max_text_bytes) throw new ParleyError('TEXT_TOO_LONG', `Messages are at most ${limits.max_text_bytes} bytes`);
  const original = await requireMessage(server, destination.conv, args.seq);
  if (original.senderId !== user.id) throw new ParleyError('NOT_YOUR_MESSAGE', 'Only its author edits a message');
  if (original.kind === 'mls') throw new ParleyError('E2E_ROOM_ENCRYPTED', 'An encrypted message is edited inside the encryption (a client with encryption does this)');
  if (messages.edit_window_ms === 0 || Date.now() - original.createdAt > messages.edit_window_ms) {
    throw new ParleyError('EDIT_WINDOW_CLOSED', `Messages can be edited for ${Math.round(messages.edit_window_ms / 60_000)} minutes after they are sent`);
  }
  const fold = await messageFold(server, original);
  if (fold.redacted) throw new ParleyError('EDIT_WINDOW_CLOSED', 'The message was redacted');
  const sent = await deliverOne(actor, destination, { text: args.text, cmid: args.cmid, kind: 'edit', ref: args.seq });
  // Earlier versions go when nobody is to keep them: the original text and the edits before this one.
  if (!messages.keep_edit_history && !sent.duplicate) await server.store.blank(destination.conv, [args.seq, ...fold.edits]);
  return sent;
}

export async function redactMessage(actor: Actor, args: CommandArgs<'redact'>): Promise<ReplyData['redact']> {
  const { server, user, session } = actor;
  const destination = await conversationOf(actor, args.to);
  const original = await requireMessage(server, destination.conv, args.seq);
  const own = original.senderId === user.id;
  const moderates = atLeast(server.moderation.roleOf(session), 'operator') || (destination.room !== undefined && roomAtLeast(destination.room, user, 'moderator'));
  if (!own && !moderates) throw new ParleyError('NOT_YOUR_MESSAGE', "Only its author, the room's moderators and operators redact a message");
  const sent = await deliverOne(actor, destination, { text: own ? '' : (args.reason ?? ''), cmid: args.cmid, kind: 'redact', ref: args.seq });
  await blankRedacted(server, original);
  if (!own) {
    const detail = { author: original.senderName, ...(args.reason ? { reason: args.reason } : {}) };
    await audit(server, { actor: user.name, action: 'message.redact', target: `${destination.label} ${args.seq}`, detail });
  }
  return sent;
}

/**
 * A redacted message's content goes from the store: the message and every version of it. Where
 * the redaction was made, and on every server that mirrors the conversation when its event
 * arrives (mirrors.ts).
 */
export async function blankRedacted(server: ServerContext, original: StoredMessage): Promise<void> {
  const fold = await messageFold(server, original);
  await server.store.blank(original.conv, [original.seq, ...fold.edits]);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;

/** One emoji: a single grapheme that is pictographic (a flag, a keycap, a sequence with skin tone or joiners included). */
export function isReaction(text: string): boolean {
  if (Buffer.byteLength(text) > REACTION_MAX_BYTES) return false;
  const segments = [...graphemes.segment(text)];
  return segments.length === 1 && EMOJI.test(text);
}

export async function reactToMessage(actor: Actor, args: CommandArgs<'react'>): Promise<ReplyData['react']> {
  const { server, user } = actor;
  const destination = await conversationOf(actor, args.to);
  refuseEncrypted(destination);
  if (destination.room) checkCanSpeak(actor, destination.room);
  if (!isReaction(args.emoji)) throw new ParleyError('REACTION_INVALID', 'A reaction is one emoji');
  const original = await requireMessage(server, destination.conv, args.seq);
  if (original.kind === 'mls') throw new ParleyError('E2E_ROOM_ENCRYPTED', 'Reactions to an encrypted message travel inside the encryption');
  const fold = await messageFold(server, original);
  if (fold.redacted) throw new ParleyError('NO_SUCH_MESSAGE', 'The message was redacted');
  const remove = args.remove === true;
  const reacted = fold.reactions.get(args.emoji)?.has(user.id) ?? false;
  // Already so: nothing to store.
  if (reacted !== remove) return { to: destination.label, conv: destination.conv, seq: 0, duplicate: true, ref: args.seq };
  if (!remove && !fold.reactions.has(args.emoji) && fold.reactions.size >= REACTIONS_PER_MESSAGE_MAX) {
    throw new ParleyError('REACTION_INVALID', `A message carries at most ${REACTIONS_PER_MESSAGE_MAX} different reactions`);
  }
  return deliverOne(actor, destination, { text: args.emoji, kind: remove ? 'unreact' : 'react', ref: args.seq });
}
