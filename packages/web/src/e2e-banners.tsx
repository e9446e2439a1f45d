/** @jsxImportSource preact */
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import type { RestartE2e } from './identity-dialog.tsx';
import { t } from './i18n/index.ts';

/**
 * What this tab's end-to-end encryption is, when it is not simply working: another tab has it,
 * the browser cannot keep keys, the identity key is another device's (with the button that
 * opens the import/reset dialog again), this device was removed, or setting up failed.
 */
export function E2eStatusBanner({ store, onRestart }: { store: ChatStore; onRestart: RestartE2e }) {
  const { status, failure } = store.e2e;
  if (status === 'ready' || status === 'starting') return null;
  const action =
    status === 'conflict' ? (
      <button type="button" class="ghost small banner-action" onClick={() => store.openPanel({ kind: 'identity' })}>
        {t('e2e.conflictAction')}
      </button>
    ) : status === 'removed' ? (
      <button type="button" class="ghost small banner-action" onClick={() => onRestart((session) => session.wipeDevice())}>
        {t('e2e.removedAction')}
      </button>
    ) : null;
  const text =
    status === 'other-tab'
      ? t('e2e.otherTab')
      : status === 'unavailable'
        ? t('e2e.unavailable')
        : status === 'conflict'
          ? t('e2e.conflict')
          : status === 'removed'
            ? t('e2e.removed')
            : t('e2e.failed', { reason: failure ?? '' });
  return (
    <div class="banner warn e2e-status" data-e2e={status}>
      <span role="status">{text}</span>
      {action}
    </div>
  );
}

/** A DM whose other person's identity key changed: loud, in that conversation, until the person compares and accepts. */
export function IdentityChangedBanner({ store, conv }: { store: ChatStore; conv: Conversation }) {
  if (conv.kind !== 'dm' || conv.e2e.verification !== 'changed') return null;
  return (
    <div class="banner danger e2e-changed">
      <span role="alert">{t('e2e.changedBanner', { name: conv.title })}</span>
      <button type="button" class="ghost small banner-action" onClick={() => store.openPanel({ kind: 'verify', key: conv.key })}>
        {t('e2e.changedAction')}
      </button>
    </div>
  );
}
