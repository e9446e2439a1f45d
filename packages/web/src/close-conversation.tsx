/** @jsxImportSource preact */
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { t } from './i18n/index.ts';

/**
 * The × beside a direct conversation in the sidebar: it leaves the list until a newer message
 * comes (chat-store.ts closeConversation; `/close` does the same for the open one). Rooms have
 * no such button: leaving a room is `/leave`, which tells its members.
 */
export function CloseConversation({ store, conv }: { store: ChatStore; conv: Conversation }) {
  return (
    <button type="button" class="icon-button tiny conv-close" aria-label={t('dm.closeWith', { name: conv.title })} title={t('common.close')} onClick={() => store.closeConversation(conv)}>
      <span aria-hidden="true">×</span>
    </button>
  );
}
