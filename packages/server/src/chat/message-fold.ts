import { ParleyError, REACTION_NAMES_MAX, REF_KINDS, type ChatMessage, type Reaction } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import type { StoredMessage } from '../store/store.ts';
import { toChatMessage } from './messages.ts';

/**
 * A message as it stands after what happened to it: its latest edit, a redaction, its
 * reactions. Those are messages of the conversation themselves (store/message-state.ts), read
 * back for a history page and folded here, so a client gets each message in its current
 * version without replaying every event about it.
 */
export interface MessageFold {
  /** The current text, when edited. */
  text?: string;
  /** When it was last edited (ms). */
  edited?: number;
  redacted: boolean;
  /** emoji -> who (user id -> name), in the order they reacted. */
  reactions: Map<string, Map<string, string>>;
  /** The seqs of its edits, oldest first. */
  edits: number[];
}

/** Whether a stored message is one people write (not an event about another, not an encrypted group change). */
export function isOwnMessage(message: StoredMessage): boolean {
  return message.kind === undefined || !(REF_KINDS.has(message.kind) || message.kind === 'mls_commit');
}

/** The message `seq` of the conversation, when it is one people write; NO_SUCH_MESSAGE otherwise. */
export async function requireMessage(server: ServerContext, conv: string, seq: number): Promise<StoredMessage> {
  const [message] = await server.store.history(conv, { after: seq - 1, limit: 1 });
  if (!message || message.seq !== seq || !isOwnMessage(message)) throw new ParleyError('NO_SUCH_MESSAGE', `There is no message ${seq} here to refer to`);
  return message;
}

/** Folds the events about `original` (seq order) into its current state. Only its author's edits count. */
export function foldEvents(original: StoredMessage, events: readonly StoredMessage[]): MessageFold {
  const fold: MessageFold = { redacted: false, reactions: new Map(), edits: [] };
  for (const event of events) {
    if (event.ref !== original.seq) continue;
    switch (event.kind) {
      case 'edit':
        if (fold.redacted || event.senderId !== original.senderId) break;
        fold.text = event.text;
        fold.edited = event.createdAt;
        fold.edits.push(event.seq);
        break;
      case 'redact':
        fold.redacted = true;
        fold.reactions.clear();
        break;
      case 'react': {
        if (fold.redacted) break;
        let who = fold.reactions.get(event.text);
        if (!who) fold.reactions.set(event.text, (who = new Map()));
        who.set(event.senderId, event.senderName);
        break;
      }
      case 'unreact':
        fold.reactions.get(event.text)?.delete(event.senderId);
        if (fold.reactions.get(event.text)?.size === 0) fold.reactions.delete(event.text);
        break;
      default:
        break;
    }
  }
  return fold;
}

/** The state of one message, read from the store. */
export async function messageFold(server: ServerContext, original: StoredMessage): Promise<MessageFold> {
  return foldEvents(original, await server.store.about(original.conv, [original.seq]));
}

/** Reactions as the wire carries them: most used first (then first used), a bounded list of names each. */
function reactionList(reactions: MessageFold['reactions']): Reaction[] {
  return [...reactions]
    .map(([emoji, who]) => ({ emoji, count: who.size, users: [...who.values()].slice(0, REACTION_NAMES_MAX) }))
    .sort((a, b) => b.count - a.count);
}

/** A history page with each message in its current version (edited, redacted, with its reactions); events about messages stay in it, in seq order, for cursors. */
export async function foldPage(server: ServerContext, conv: string, page: readonly StoredMessage[]): Promise<ChatMessage[]> {
  // Encrypted messages are folded by the clients that can read them.
  const foldable = page.filter((m) => isOwnMessage(m) && m.kind !== 'mls');
  const events = foldable.length === 0 ? [] : await server.store.about(conv, foldable.map((m) => m.seq));
  const byRef = new Map<number, StoredMessage[]>();
  for (const event of events) {
    const list = byRef.get(event.ref ?? 0);
    if (list) list.push(event);
    else byRef.set(event.ref ?? 0, [event]);
  }
  return page.map((message) => {
    const chat = toChatMessage(message);
    const about = byRef.get(message.seq);
    if (!about || !isOwnMessage(message) || message.kind === 'mls') return chat;
    const fold = foldEvents(message, about);
    if (fold.redacted) return { ...chat, text: '', redacted: true };
    if (fold.text !== undefined) chat.text = fold.text;
    if (fold.edited !== undefined) chat.edited = fold.edited;
    if (fold.reactions.size > 0) chat.reactions = reactionList(fold.reactions);
    return chat;
  });
}
