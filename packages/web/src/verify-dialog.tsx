/** @jsxImportSource preact */
import { useEffect, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { describeError } from './describe-error.ts';
import { t } from './i18n/index.ts';
import { ErrorLine, Modal } from './modal.tsx';

/**
 * The safety number panel of a DM (from its header): the 60 digits both people see, in 12
 * groups of 5, and how to compare them; "Mark as verified". After the other person's identity
 * key changed, it says so and takes "I have checked the new safety number", which accepts the
 * new key (sends were refused until then).
 */
export function VerifyDialog({ store, conv, onClose }: { store: ChatStore; conv: Conversation; onClose: () => void }) {
  const [number, setNumber] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const name = conv.title;
  const verification = conv.e2e.verification;

  useEffect(() => {
    const e2e = store.client.e2e;
    if (!e2e) return;
    void e2e.safetyNumber(conv.target).then(setNumber, (failure: unknown) => setError(describeError(failure)));
    void store.e2e.refresh(conv);
  }, [conv.key]);

  const act = async (step: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await step();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={t('verify.title', { name })} onClose={onClose}>
      <p class="modal-text">{t('verify.how', { name })}</p>
      {number === undefined && !error && <p class="muted">{t('common.loading')}</p>}
      {number !== undefined && (
        <div class="safety-number" role="group" aria-label={t('verify.number')}>
          {number.split(' ').map((group, i) => (
            <span key={i} class="safety-group">
              {group}
            </span>
          ))}
        </div>
      )}
      {verification === 'changed' ? (
        <p class="verify-state changed" role="alert">
          {t('verify.changed', { name })}
        </p>
      ) : (
        <p class={`verify-state ${verification ?? 'unverified'}`} role="status">
          {verification === 'verified' ? t('verify.isVerified', { name }) : t('verify.isUnverified')}
        </p>
      )}
      <ErrorLine error={error} />
      <div class="modal-actions">
        <button type="button" class="ghost" onClick={onClose}>
          {t('common.close')}
        </button>
        {verification === 'changed' && (
          <button type="button" class="primary" disabled={busy || number === undefined} onClick={() => void act(() => store.e2e.acceptIdentity(conv))}>
            {t('verify.accept')}
          </button>
        )}
        {verification !== 'changed' && verification !== 'verified' && (
          <button type="button" class="primary" disabled={busy || number === undefined} onClick={() => number !== undefined && void act(() => store.e2e.markVerified(conv, number))}>
            {t('verify.markVerified')}
          </button>
        )}
      </div>
    </Modal>
  );
}
