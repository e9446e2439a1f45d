/** @jsxImportSource preact */
import { toBase64Url } from '@parley/client';
import { useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import { describeError } from './describe-error.ts';
import { IdentityFileError, importIdentityKeyPair, pkcs8FromFile, type IdentityFileProblem } from './e2e-identity-file.ts';
import type { E2eSession } from './e2e-session.ts';
import { t, type MessageKey } from './i18n/index.ts';
import { ErrorLine, Modal } from './modal.tsx';

/** Starts the sign-in again with the same session once `prepare` has changed it (the old client closed first). */
export type RestartE2e = (prepare: (session: E2eSession) => Promise<void>) => void;

const PROBLEMS: Record<IdentityFileProblem, MessageKey> = {
  'not-a-key': 'identity.notAKey',
  encrypted: 'identity.encrypted',
  'not-ed25519': 'identity.notEd25519',
};

/** The file's key pair, if it is the identity the server has for this account. */
async function readIdentityFile(store: ChatStore, file: File): Promise<CryptoKeyPair> {
  const pair = await importIdentityKeyPair(pkcs8FromFile(new Uint8Array(await file.arrayBuffer())));
  const raw = new Uint8Array(await globalThis.crypto.subtle.exportKey('raw', pair.publicKey));
  const entry = await store.client.request('edevices', { name: store.me });
  if (entry.identity_key !== toBase64Url(raw)) throw new Error(t('identity.wrongKey', { name: store.me }));
  return pair;
}

/**
 * The account's identity key on the server is another device's (E2E_IDENTITY_CHANGED at the
 * first sign-in in this browser): import that device's identity key file, or reset the identity
 * (a warning first: every contact is told). Both sign in again with the new setting.
 */
export function IdentityDialog({ store, onRestart, onClose }: { store: ChatStore; onRestart: RestartE2e; onClose: () => void }) {
  const [file, setFile] = useState<File>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirmReset, setConfirmReset] = useState(false);

  const importFile = async (event: Event) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const pair = await readIdentityFile(store, file);
      onRestart((session) => session.importIdentity(pair));
    } catch (failure) {
      setError(failure instanceof IdentityFileError ? t(PROBLEMS[failure.problem]) : describeError(failure));
      setBusy(false);
    }
  };

  const reset = () =>
    onRestart((session) => {
      session.resetIdentity();
      return Promise.resolve();
    });

  return (
    <Modal title={t('identity.title')} onClose={onClose}>
      {!confirmReset ? (
        <form class="modal-form" onSubmit={(event) => void importFile(event)}>
          <p class="modal-text">{t('identity.text', { name: store.me })}</p>
          <label class="field">
            <span>{t('identity.file')}</span>
            <input type="file" accept=".pem,.key,.der,.p8,application/x-pem-file,application/pkcs8" aria-describedby="identity-file-hint" onChange={(e) => setFile(e.currentTarget.files?.[0])} />
          </label>
          <p id="identity-file-hint" class="field-hint">
            {t('identity.fileHint')}
          </p>
          <ErrorLine error={error} />
          <p class="modal-text">{t('identity.orReset')}</p>
          <div class="modal-actions">
            <button type="button" class="ghost" onClick={onClose}>
              {t('identity.notNow')}
            </button>
            <button type="button" class="ghost danger-text" onClick={() => setConfirmReset(true)}>
              {t('identity.reset')}
            </button>
            <button type="submit" class="primary" disabled={busy || !file}>
              {t('identity.import')}
            </button>
          </div>
        </form>
      ) : (
        <div class="modal-form">
          <p class="modal-text warn-text" role="alert">
            {t('identity.resetWarning')}
          </p>
          <div class="modal-actions">
            <button type="button" class="ghost" onClick={() => setConfirmReset(false)}>
              {t('identity.back')}
            </button>
            <button type="button" class="primary danger" onClick={reset}>
              {t('identity.resetConfirm')}
            </button>
          </div>
        </div>
      )}
    </Modal>
  );
}
