/** @jsxImportSource preact */
import type { UserInfo } from '@parley/protocol';
import { useEffect, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { describeError } from './describe-error.ts';
import { DurationField, ReasonField } from './dialog-fields.tsx';
import { formatStamp } from './format.ts';
import { t } from './i18n/index.ts';
import { ActionForm, ErrorLine, Modal } from './modal.tsx';
import { roleName, withReason } from './describe-notice.ts';
import { banSentence } from './typed-results.ts';

/** Account, role, connections (with addresses only when the server sends them) and rooms. */
export function UserInfoDialog({ store, name, onClose }: { store: ChatStore; name: string; onClose: () => void }) {
  const [info, setInfo] = useState<UserInfo>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    store.client.request('userinfo', { name }).then(setInfo, (failure: unknown) => setError(describeError(failure)));
  }, [name]);
  return (
    <Modal title={t('info.title', { name })} onClose={onClose}>
      <ErrorLine error={error} />
      {!info && !error && <p class="muted">{t('common.loading')}</p>}
      {info && (
        <dl class="facts">
          <dt>{t('info.account')}</dt>
          <dd>{info.kind === 'account' ? (info.created ? t('info.accountCreated', { when: formatStamp(info.created) }) : t('info.account')) : t('info.guest')}</dd>
          <dt>{t('info.role')}</dt>
          <dd>{info.role}</dd>
          <dt>{t('info.status')}</dt>
          <dd>{info.online ? t('me.online') : t('me.offline')}</dd>
          <dt>{t('info.connections')}</dt>
          <dd>
            {info.sessions.length === 0 ? (
              t('common.none')
            ) : (
              <ul class="plain-list">
                {info.sessions.map((s) => (
                  <li key={s.id}>
                    {s.ip === undefined
                      ? t('info.session', { since: formatStamp(s.since), transport: s.transport })
                      : t('info.sessionFrom', { since: formatStamp(s.since), transport: s.transport, ip: s.ip })}
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt>{t('info.rooms')}</dt>
          <dd>{info.rooms.length === 0 ? t('common.none') : info.rooms.map((r) => (r.role === 'member' ? r.name : `${r.name} (${roleName(r.role)})`)).join(', ')}</dd>
        </dl>
      )}
      <div class="modal-actions">
        <button type="button" class="primary" onClick={onClose}>
          {t('common.close')}
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
    store.notice(conv, withReason(t('mod.youKicked', { name, room: conv.target }), text));
  };
  return (
    <ActionForm title={t('mod.kickTitle', { name, room: conv.target })} submitLabel={t('actions.kick')} danger run={run} onClose={onClose}>
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
  const from = room ?? t('mod.theServer');
  const run = async () => {
    const text = reason.trim();
    const ban = await store.client.request('ban', { target: name, addresses, ...(room ? { room } : {}), ...(duration ? { duration } : {}), ...(text ? { reason: text } : {}) });
    store.notice(conv, banSentence({ ...ban, target: name }, text));
  };
  return (
    <ActionForm title={t('mod.banTitle', { name, from })} submitLabel={t('mod.ban')} danger run={run} onClose={onClose}>
      <fieldset class="choices">
        <legend>{t('mod.banWhat')}</legend>
        <label class="check">
          <input type="radio" name="ban-what" checked={addresses} onChange={() => setAddresses(true)} />
          <span>
            {t('mod.banAddresses', { name })} <small class="muted">{t('mod.banAddressesHint')}</small>
          </span>
        </label>
        <label class="check">
          <input type="radio" name="ban-what" checked={!addresses} onChange={() => setAddresses(false)} />
          <span>
            {t('mod.banNameOnly')} <small class="muted">{t('mod.banNameOnlyHint', { name })}</small>
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
