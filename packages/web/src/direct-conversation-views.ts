import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { describeError } from './describe-error.ts';
import { t } from './i18n/index.ts';
import { applyListed, type ClosedConversations } from './direct-conversations.ts';

/**
 * Shows the account's direct conversations from before this page (another browser, an earlier
 * visit), except those closed here with nothing newer since; each loads its history when opened.
 */
export async function showListedConversations(store: ChatStore, closed: ClosedConversations | undefined): Promise<void> {
  try {
    const { conversations } = await store.client.request('conversations', {});
    for (const listed of conversations) {
      if (closed?.hides(listed.conv, listed.lastSeq) && !store.dm(listed.with, false)) continue;
      applyListed(store.dm(listed.with), listed);
    }
  } catch (error) {
    store.notice(store.active ?? store.everyone(), t('dm.listFailed', { reason: describeError(error) }), 'error');
  }
}

/**
 * A first message to a name that failed (nobody has it) leaves no conversation behind: the
 * entry goes, and the error shows in the conversation the person was in when they typed it.
 */
export function dropFailedStart(store: ChatStore, { conv, from, error }: { conv: Conversation; from: Conversation | undefined; error: unknown }): void {
  store.conversations.delete(conv.key);
  const back = from && from !== conv && store.conversations.has(from.key) ? from : store.sortedConversations()[0];
  store.activeKey = back?.key;
  store.notice(back ?? store.everyone(), t('dm.notSent', { target: conv.target, reason: describeError(error) }), 'error');
}
