/** @jsxImportSource preact */
import { ParleyClientError } from '@parley/client';
import type { UserInfo } from '@parley/protocol';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { formatStamp } from './format.ts';

/** What the server said, with its error name (FORBIDDEN, NO_SUCH_USER, …) so it is not lost. */
function failureText(error: unknown): string {
  if (error instanceof ParleyClientError) return `${error.errorName}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A modal `<dialog>`: the browser traps focus in it, Escape cancels it, and focus goes back to
 * the page when it closes. Escape is kept from the layout's own Escape handler.
 */
function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useRef(`dialog-${Math.random().toString(36).slice(2)}`).current;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class="modal"
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

function ErrorLine({ error }: { error: string | undefined }) {
  return error ? (
    <p class="form-error" role="alert">
      {error}
    </p>
  ) : null;
}

/** Account, role, connections (with addresses only when the server sends them) and rooms. */
export function UserInfoDialog({ store, name, onClose }: { store: ChatStore; name: string; onClose: () => void }) {
  const [info, setInfo] = useState<UserInfo>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    store.client.request('userinfo', { name }).then(setInfo, (failure: unknown) => setError(failureText(failure)));
  }, [name]);
  return (
    <Modal title={`User info for ${name}`} onClose={onClose}>
      <ErrorLine error={error} />
      {!info && !error && <p class="muted">Loading…</p>}
      {info && (
        <dl class="facts">
          <dt>Account</dt>
          <dd>{info.kind === 'account' ? `Account${info.created ? `, created ${formatStamp(info.created)}` : ''}` : 'Guest (no account)'}</dd>
          <dt>Role</dt>
          <dd>{info.role}</dd>
          <dt>Status</dt>
          <dd>{info.online ? 'Online' : 'Offline'}</dd>
          <dt>Connections</dt>
          <dd>
            {info.sessions.length === 0 ? (
              'None'
            ) : (
              <ul class="plain-list">
                {info.sessions.map((s) => (
                  <li key={s.id}>
                    Connected since {formatStamp(s.since)} over {s.transport}
                    {s.ip !== undefined && <> from {s.ip}</>}
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt>Rooms</dt>
          <dd>{info.rooms.length === 0 ? 'None' : info.rooms.map((r) => (r.role === 'member' ? r.name : `${r.name} (${r.role})`)).join(', ')}</dd>
        </dl>
      )}
      <div class="modal-actions">
        <button type="button" class="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}

interface ActionProps {
  store: ChatStore;
  conv: Conversation;
  name: string;
  onClose: () => void;
}

/** A form that runs one request; the dialog stays open with the server's error when it fails. */
function ActionForm({ title, submitLabel, run, onClose, children }: { title: string; submitLabel: string; run: () => Promise<void>; onClose: () => void; children: ComponentChildren }) {
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
      setError(failureText(failure));
      setBusy(false);
    }
  };
  return (
    <Modal title={title} onClose={onClose}>
      <form class="modal-form" onSubmit={(event) => void submit(event)}>
        {children}
        <ErrorLine error={error} />
        <div class="modal-actions">
          <button type="button" class="ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary danger" disabled={busy}>
            {submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** Removes the member from this room (a room kick; the server closes no connection). */
export function KickDialog({ store, conv, name, onClose }: ActionProps) {
  const [reason, setReason] = useState('');
  const run = async () => {
    const text = reason.trim();
    await store.client.request('kick', { name, room: conv.target, ...(text ? { reason: text } : {}) });
    store.notice(conv, `You kicked ${name} from ${conv.target}${text ? `: ${text}` : ''}`);
  };
  return (
    <ActionForm title={`Kick ${name} from ${conv.target}`} submitLabel="Kick" run={run} onClose={onClose}>
      <ReasonField value={reason} onInput={setReason} />
    </ActionForm>
  );
}

/** The optional reason both dialogs ask for. */
function ReasonField({ value, onInput }: { value: string; onInput: (value: string) => void }) {
  return (
    <label class="field">
      <span>
        Reason <small>optional</small>
      </span>
      <input value={value} maxLength={300} onInput={(event) => onInput(event.currentTarget.value)} />
    </label>
  );
}

const DURATIONS: [value: string, label: string][] = [
  ['', 'Permanent'],
  ['10m', '10 minutes'],
  ['1h', '1 hour'],
  ['1d', '1 day'],
  ['7d', '7 days'],
  ['30d', '30 days'],
];

/** Bans the account (by name) from the whole server: its connections close at once. */
export function BanDialog({ store, conv, name, onClose }: ActionProps) {
  const [duration, setDuration] = useState('');
  const [reason, setReason] = useState('');
  const run = async () => {
    const text = reason.trim();
    const ban = await store.client.request('ban', { target: name, ...(duration ? { duration } : {}), ...(text ? { reason: text } : {}) });
    const until = ban.expires === null ? 'permanently' : `until ${formatStamp(ban.expires)}`;
    store.notice(conv, `You banned ${name} from the server ${until}${text ? `: ${text}` : ''}`);
  };
  return (
    <ActionForm title={`Ban ${name} from the server`} submitLabel="Ban" run={run} onClose={onClose}>
      <label class="field">
        <span>Duration</span>
        <select value={duration} onChange={(event) => setDuration(event.currentTarget.value)}>
          {DURATIONS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <ReasonField value={reason} onInput={setReason} />
    </ActionForm>
  );
}
