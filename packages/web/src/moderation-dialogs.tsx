/** @jsxImportSource preact */
import type { UserInfo } from '@parley/protocol';
import { useEffect, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { describeFailure } from './describe-error.ts';
import { DurationField, ReasonField } from './dialog-fields.tsx';
import { formatStamp } from './format.ts';
import { ActionForm, ErrorLine, Modal } from './modal.tsx';
import { banSentence } from './typed-results.ts';

/** Account, role, connections (with addresses only when the server sends them) and rooms. */
export function UserInfoDialog({ store, name, onClose }: { store: ChatStore; name: string; onClose: () => void }) {
  const [info, setInfo] = useState<UserInfo>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    store.client.request('userinfo', { name }).then(setInfo, (failure: unknown) => setError(describeFailure(failure)));
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

export interface ActionProps {
  store: ChatStore;
  conv: Conversation;
  name: string;
  onClose: () => void;
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
    <ActionForm title={`Kick ${name} from ${conv.target}`} submitLabel="Kick" danger run={run} onClose={onClose}>
      <ReasonField value={reason} onInput={setReason} />
    </ActionForm>
  );
}

/**
 * A ban by name, from the whole server (its connections close at once) or, with `room`, from
 * one room (the server removes them from it and refuses their joins until the ban ends).
 */
function ScopedBanDialog({ store, conv, name, onClose, room }: ActionProps & { room?: string }) {
  const [duration, setDuration] = useState('');
  const [reason, setReason] = useState('');
  // A name alone is evaded by signing in as a guest with another name: addresses are the default.
  const [addresses, setAddresses] = useState(true);
  const from = room ?? 'the server';
  const run = async () => {
    const text = reason.trim();
    const ban = await store.client.request('ban', { target: name, addresses, ...(room ? { room } : {}), ...(duration ? { duration } : {}), ...(text ? { reason: text } : {}) });
    store.notice(conv, banSentence({ ...ban, target: name }, text ? `: ${text}` : ''));
  };
  return (
    <ActionForm title={`Ban ${name} from ${from}`} submitLabel="Ban" danger run={run} onClose={onClose}>
      <fieldset class="choices">
        <legend>What to ban</legend>
        <label class="check">
          <input type="radio" name="ban-what" checked={addresses} onChange={() => setAddresses(true)} />
          <span>
            The name and the addresses {name} is connected from <small class="muted">also refuses new guest names from those addresses; everyone sharing one (an office, a school) is refused too</small>
          </span>
        </label>
        <label class="check">
          <input type="radio" name="ban-what" checked={!addresses} onChange={() => setAddresses(false)} />
          <span>
            The name only <small class="muted">{name} can come back as a guest under another name</small>
          </span>
        </label>
      </fieldset>
      <DurationField value={duration} onChange={setDuration} />
      <ReasonField value={reason} onInput={setReason} />
    </ActionForm>
  );
}

export const BanDialog = (props: ActionProps) => <ScopedBanDialog {...props} />;
export const RoomBanDialog = (props: ActionProps) => <ScopedBanDialog {...props} room={props.conv.target} />;
