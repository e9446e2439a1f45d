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
  return chat;
}

export function messageEvent(message: StoredMessage): OutboundEvent {
  const event: ServerEvent = { ev: 'message', ...toChatMessage(message) };
  return new OutboundEvent(event);
}

/** Delivers stored messages to one session in order, holding live traffic back meanwhile. */
export async function replayPages(
  session: Session,
  readPage: () => Promise<StoredMessage[]>,
  pageDone: (page: StoredMessage[]) => Promise<void> | void,
  maxPages: number,
): Promise<{ delivered: number; more: boolean }> {
  let delivered = 0;
  for (let pages = 0; pages < maxPages; pages++) {
    const page = await readPage();
    if (page.length === 0) return { delivered, more: false };
    for (const message of page) if (session.deliverReplayed(messageEvent(message))) delivered += 1;
    await pageDone(page);
  }
  return { delivered, more: true };
}
