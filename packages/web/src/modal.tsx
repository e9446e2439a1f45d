/** @jsxImportSource preact */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './describe-error.ts';
import { t } from './i18n/index.ts';

/**
 * A modal `<dialog>`: the browser traps focus in it, Escape cancels it (kept from the layout's
 * own Escape handler). Closing it gives the focus back to what had it when it opened (WCAG 2.2,
 * 2.4.3 Focus Order): the button or the message box it was opened from. An opener that is gone
 * by then (a menu item, whose menu closed as the dialog opened) leaves that to the caller, and
 * if nobody takes the focus it goes to the message box rather than to the page's start.
 */
export function Modal({ title, onClose, wide = false, children }: { title: string; onClose: () => void; wide?: boolean; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useRef(`dialog-${Math.random().toString(36).slice(2)}`).current;
  // Read while rendering, the earliest moment: by the first effect a menu that opened us is gone.
  const opener = useRef(document.activeElement instanceof HTMLElement ? document.activeElement : undefined).current;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      if (opener?.isConnected) opener.focus();
      else if (document.activeElement === document.body || document.activeElement === null) document.getElementById('message-input')?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={wide ? 'modal wide' : 'modal'}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') event.stopPropagation();
      }}
    >
      <h2 id={titleId} class="modal-title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}

export function ErrorLine({ error }: { error: string | undefined }) {
  return error ? (
    <p class="form-error" role="alert">
      {error}
    </p>
  ) : null;
}

export interface ActionFormProps {
  title: string;
  submitLabel: string;
  /** Runs the request(s); a throw keeps the dialog open with the server's coded error. */
  run: () => Promise<void>;
  onClose: () => void;
  /** Styles the submit button as destructive (kick, ban, mute). */
  danger?: boolean;
  /** False while the form still loads what it edits: the submit button waits. */
  ready?: boolean;
  /** An error from loading what the form edits, shown like a refusal. */
  loadError?: string | undefined;
  children: ComponentChildren;
}

/** A form that runs one action; the dialog stays open with the server's error when it fails. */
export function ActionForm({ title, submitLabel, run, onClose, danger = false, ready = true, loadError, children }: ActionFormProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await run();
      onClose();
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  };
  return (
    <Modal title={title} onClose={onClose}>
      <form class="modal-form" onSubmit={(event) => void submit(event)}>
        {children}
        <ErrorLine error={error ?? loadError} />
        <div class="modal-actions">
          <button type="button" class="ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class={danger ? 'primary danger' : 'primary'} disabled={busy || !ready}>
            {submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
