import { foldName, REACTION_NAMES_MAX, REF_KINDS, type ChatMessage, type Reaction } from '@parley/protocol';

/**
 * Live changes to messages an application already shows. An edit, a redaction or a reaction is
 * a message of the conversation itself (kind `edit`, `redact`, `react`, `unreact`; `ref` is the
 * seq of the message it is about): a `message` event to apply, not a line to show. `history`
 * pages come folded already (the server's chat/message-fold.ts; for encrypted conversations the
 * archive's rewrite), so this is for what arrives after a page, in the order it arrives: the
 * same rules as the server's fold, so a reload shows what the live view showed.
 */

/** Whether a message is an event about another one (apply it with applyChange), not one to show. */
export function isChange(message: Pick<ChatMessage, 'kind' | 'ref'>): boolean {
  return message.kind !== undefined && REF_KINDS.has(message.kind) && message.ref !== undefined;
}

const same = (a: string, b: string) => foldName(a) === foldName(b);

/** Most used first; equal counts keep the order they were first used in (Array.sort is stable). */
const byCount = (reactions: Reaction[]) => reactions.sort((a, b) => b.count - a.count);

function withReactions<TMessage extends ChatMessage>(message: TMessage, reactions: Reaction[]): TMessage {
  const { reactions: _old, ...rest } = message;
  return (reactions.length > 0 ? { ...rest, reactions: byCount(reactions) } : rest) as TMessage;
}

/**
 * One reaction more. `users` lists at most REACTION_NAMES_MAX names while `count` counts all: a
 * name not listed may be among those not shown, which only the server can tell, and it stores a
 * reaction someone already gave as nothing, so a live `react` is always a new one.
 */
function react<TMessage extends ChatMessage>(message: TMessage, change: ChatMessage): TMessage {
  const reactions = (message.reactions ?? []).map((r) => ({ ...r, users: [...r.users] }));
  const entry = reactions.find((r) => r.emoji === change.text);
  if (!entry) return withReactions(message, [...reactions, { emoji: change.text, count: 1, users: [change.from] }]);
  if (entry.users.some((user) => same(user, change.from))) return message;
  entry.count += 1;
  if (entry.users.length < REACTION_NAMES_MAX) entry.users.push(change.from);
  return withReactions(message, reactions);
}

function unreact<TMessage extends ChatMessage>(message: TMessage, change: ChatMessage): TMessage {
  const reactions = (message.reactions ?? []).map((r) => ({ ...r, users: [...r.users] }));
  const entry = reactions.find((r) => r.emoji === change.text);
  if (!entry) return message;
  const listed = entry.users.findIndex((user) => same(user, change.from));
  // Not listed and every reaction listed: this person had not reacted so (an encrypted
  // conversation's unreact, which no server could check).
  if (listed < 0 && entry.users.length >= entry.count) return message;
  if (listed >= 0) entry.users.splice(listed, 1);
  entry.count -= 1;
  return withReactions(message, entry.count > 0 ? reactions : reactions.filter((r) => r !== entry));
}

/**
 * `message` after `change` (a message whose `ref` is its seq): the same object when the change
 * changes nothing. Only the author's edits count, and none after a redaction; a redaction
 * empties the text and drops the reactions; reactions count once per person and emoji, and an
 * unreact takes back that person's.
 */
export function foldChange<TMessage extends ChatMessage>(message: TMessage, change: ChatMessage): TMessage {
  if (change.ref !== message.seq || change.conv !== message.conv) return message;
  switch (change.kind) {
    case 'edit':
      if (message.redacted || !same(change.from, message.from)) return message;
      return { ...message, text: change.text, edited: change.ts };
    case 'redact': {
      if (message.redacted && message.text === '' && !message.reactions && message.edited === undefined) return message;
      const { edited: _edited, reactions: _reactions, ...rest } = message;
      return { ...rest, text: '', redacted: true } as TMessage;
    }
    case 'react':
      return message.redacted ? message : react(message, change);
    case 'unreact':
      return unreact(message, change);
    default:
      return message;
  }
}

/**
 * Applies a change event to the messages an application holds (for one conversation or
 * several): a new array with the message it refers to in its new state, or `messages` itself
 * when none is there or nothing changed (so a UI can compare by identity).
 */
export function applyChange<TMessage extends ChatMessage>(messages: readonly TMessage[], change: ChatMessage): readonly TMessage[] {
  if (!isChange(change)) return messages;
  const index = messages.findIndex((m) => m.seq === change.ref && m.conv === change.conv);
  const message = messages[index];
  if (!message) return messages;
  const folded = foldChange(message, change);
  if (folded === message) return messages;
  const next = [...messages];
  next[index] = folded;
  return next;
}
