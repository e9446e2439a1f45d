import type { ChatMessage, ServerEvent } from '@parley/protocol';
import { OutboundEvent } from '../core/outbound.ts';
import type { Session } from '../core/session.ts';
import type { StoredMessage } from '../store/store.ts';

export function toChatMessage(message: StoredMessage): ChatMessage {
  const chat: ChatMessage = {
    conv: message.conv,
    seq: message.seq,
    from: message.senderName,
    to: message.target,
    text: message.text,
    ts: message.createdAt,
  };
  if (message.cmid !== undefined) chat.cmid = message.cmid;
  if (message.kind !== undefined) chat.kind = message.kind;
  if (message.ref !== undefined) {
    // A message people write refers to what it answers; an event (or an encrypted message, which may be either) to what it is about.
    if (message.kind === undefined || message.kind === 'action') chat.reply = message.ref;
    else chat.ref = message.ref;
  }
  return chat;
}

export function messageEvent(message: StoredMessage): OutboundEvent {
  const event: ServerEvent = { ev: 'message', ...toChatMessage(message) };
  return new OutboundEvent(event);
}

export interface ReplayPlan {
  readPage: () => Promise<StoredMessage[]>;
  pageDone: (page: StoredMessage[]) => Promise<void> | void;
  maxPages: number;
}

/**
 * Delivers stored messages to one session in order (live traffic is held back by the caller),
 * waiting whenever the outbound queue is half full so a long replay paces itself to the reader.
 */
export async function replayPages(session: Session, { readPage, pageDone, maxPages }: ReplayPlan): Promise<{ delivered: number; more: boolean; pages: number }> {
  let delivered = 0;
  for (let pages = 0; pages < maxPages; pages++) {
    const page = await readPage();
    if (page.length === 0 || session.closed) return { delivered, more: false, pages };
    for (const message of page) {
      const wait = session.whenWritable();
      if (wait) await wait;
      if (session.deliverReplayed(messageEvent(message))) delivered += 1;
    }
    // A page cut short by a close is not done: better delivered twice (clients drop repeats
    // by seq) than marked delivered and lost.
    if (session.closed) return { delivered, more: true, pages: pages + 1 };
    await pageDone(page);
  }
  return { delivered, more: true, pages: maxPages };
}
