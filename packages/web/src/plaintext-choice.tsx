/** @jsxImportSource preact */
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { t } from './i18n/index.ts';
import { OpenLockIcon } from './icons.tsx';

const HELD_WHY = { 'no-keys': 'plain.noKeys', 'no-e2e': 'plain.noE2e' } as const;

/**
 * Above the message box of a DM whose message was held back: it could only go unencrypted (the
 * other person has no device keys, or this tab has no encryption). Says so, shows what was held,
 * and offers the explicit choice: "Send unencrypted", or back into the box to edit. The focus
 * stays in the box, so a second Enter does not send it unencrypted by accident.
 */
export function PlaintextChoice({ store, conv, onEdit }: { store: ChatStore; conv: Conversation; onEdit: (text: string) => void }) {
  const held = conv.held;
  if (!held) return null;
  return (
    <div class="plain-choice" data-reason={held.reason}>
      <p class="plain-why" role="alert">
        <OpenLockIcon />
        <span>{t(HELD_WHY[held.reason], { name: conv.title })}</span>
      </p>
      <p class="plain-held">
        <span class="plain-held-label">{t('plain.held')}: </span>
        {held.text}
      </p>
      <div class="plain-actions">
        <button type="button" class="ghost small" onClick={() => onEdit(store.e2e.dropHeld(conv))}>
          {t('plain.edit')}
        </button>
        <button type="button" class="small primary danger" onClick={() => store.e2e.sendHeld(conv)}>
          {t('plain.send')}
        </button>
      </div>
    </div>
  );
}
