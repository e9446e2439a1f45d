/** @jsxImportSource preact */
import type { RoomModes } from '@parley/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { describeError } from './describe-error.ts';
import { BanIcon, InviteIcon, SettingsIcon } from './icons.tsx';
import { BansDialog } from './bans-dialog.tsx';
import { t } from './i18n/index.ts';
import { ActionForm } from './modal.tsx';
import type { ModeChanges } from '@parley/protocol';
import { permissionsOf } from './permissions.ts';
import { describeModes } from './room-modes.ts';
import { usePermissions } from './use-permissions.ts';

interface RoomProps {
  store: ChatStore;
  conv: Conversation;
  onClose: () => void;
}

/**
 * The room header's moderation controls: "Invite to #dev" and "Room settings" (its modes). Shown
 * only to those the server lets run `invite` and `mode` there (the room's moderators and owners,
 * server operators); everyone else gets nothing, not a disabled button.
 */
export function RoomControls({ store, conv }: { store: ChatStore; conv: Conversation }) {
  const permissions = usePermissions(store);
  const [dialog, setDialog] = useState<'invite' | 'settings' | 'bans'>();
  const invite = useRef<HTMLButtonElement>(null);
  const settings = useRef<HTMLButtonElement>(null);
  const bans = useRef<HTMLButtonElement>(null);
  if (!conv.joined || !permissions.canModerate(conv.target)) return null;
  const done = () => {
    (dialog === 'invite' ? invite : dialog === 'bans' ? bans : settings).current?.focus();
    setDialog(undefined);
  };
  return (
    <>
      <button type="button" ref={invite} class="icon-button" aria-label={t('room.invite', { room: conv.target })} title={t('room.invite', { room: conv.target })} onClick={() => setDialog('invite')}>
        <InviteIcon />
      </button>
      <button type="button" ref={settings} class="icon-button" aria-label={t('room.settings')} title={t('room.settings')} onClick={() => setDialog('settings')}>
        <SettingsIcon />
      </button>
      <button type="button" ref={bans} class="icon-button" aria-label={t('bans.titleRoom', { room: conv.target })} title={t('bans.titleRoom', { room: conv.target })} onClick={() => setDialog('bans')}>
        <BanIcon />
      </button>
      {dialog === 'bans' && <BansDialog store={store} room={conv.target} onClose={done} />}
      {dialog === 'invite' && <InviteDialog store={store} conv={conv} onClose={done} />}
      {dialog === 'settings' && <RoomSettingsDialog store={store} conv={conv} onClose={done} />}
    </>
  );
}

/** Lets one person in past invite-only and the password; the server tells them how to join. */
function InviteDialog({ store, conv, onClose }: RoomProps) {
  const [name, setName] = useState('');
  const run = async () => {
    const invited = await store.client.request('invite', { room: conv.target, name: name.trim() });
    store.notice(conv, t('mod.youInvited', { name: invited.name, room: invited.room }));
  };
  return (
    <ActionForm title={t('room.inviteTitle', { room: conv.target })} submitLabel={t('room.inviteSubmit')} run={run} onClose={onClose} ready={name.trim() !== ''}>
      <p class="modal-text">{t('room.inviteText')}</p>
      <label class="field">
        <span>{t('connect.name')}</span>
        <input value={name} required maxLength={32} autoComplete="off" onInput={(event) => setName(event.currentTarget.value)} />
      </label>
    </ActionForm>
  );
}

/**
 * The room's modes, read with an argument-less `mode` and changed with one `mode` naming only
 * what changed. End-to-end encryption is one way and the owners' (the server refuses anyone
 * else, and turning it off): ticking it asks for a second tick that says so before Save goes.
 */
function RoomSettingsDialog({ store, conv, onClose }: RoomProps) {
  const [modes, setModes] = useState<RoomModes>();
  const [loadError, setLoadError] = useState<string>();
  const [inviteOnly, setInviteOnly] = useState(false);
  const [moderated, setModerated] = useState(false);
  const [topicLock, setTopicLock] = useState(false);
  const [encrypted, setEncrypted] = useState(false);
  const [understood, setUnderstood] = useState(false);
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  useEffect(() => {
    store.client.request('mode', { room: conv.target }).then(
      (reply) => {
        store.e2e.noteModes(reply.room, reply.modes);
        setModes(reply.modes);
        setInviteOnly(reply.modes.inviteOnly);
        setModerated(reply.modes.moderated);
        setTopicLock(reply.modes.topicLock);
        setEncrypted(reply.modes.encrypted);
      },
      (failure: unknown) => setLoadError(describeError(failure)),
    );
  }, [conv.target]);
  const turningOn = modes !== undefined && !modes.encrypted && encrypted;

  const run = async () => {
    if (!modes) return;
    // Only what changed: another moderator may be changing the other modes right now.
    const changes: ModeChanges = {};
    if (inviteOnly !== modes.inviteOnly) changes.invite_only = inviteOnly;
    if (moderated !== modes.moderated) changes.moderated = moderated;
    if (topicLock !== modes.topicLock) changes.topic_lock = topicLock;
    if (turningOn) changes.encrypted = true;
    if (removePassword) changes.password = '';
    else if (password !== '') changes.password = password;
    if (Object.keys(changes).length === 0) return;
    const reply = await store.client.request('mode', { room: conv.target, ...changes });
    // The server tells the other members with a notice, not the one who changed it.
    store.e2e.noteModes(reply.room, reply.modes);
    store.notice(conv, t('mode.youSet', { room: reply.room, modes: describeModes(reply.modes) }));
  };

  return (
    <ActionForm
      title={t('room.settingsTitle', { room: conv.target })}
      submitLabel={t('common.save')}
      run={run}
      onClose={onClose}
      danger={turningOn}
      ready={modes !== undefined && (!turningOn || understood)}
      loadError={loadError}
    >
      <fieldset class="choices" disabled={modes === undefined}>
        <legend>{t('room.modes')}</legend>
        <Check label={t('room.inviteOnly')} hint={t('room.inviteOnlyHint')} value={inviteOnly} onChange={setInviteOnly} />
        <Check label={t('room.moderated')} hint={t('room.moderatedHint')} value={moderated} onChange={setModerated} />
        <Check label={t('room.topicLocked')} hint={t('room.topicLockedHint')} value={topicLock} onChange={setTopicLock} />
        <EncryptionCheck
          store={store}
          conv={conv}
          modes={modes}
          value={encrypted}
          onChange={(value) => {
            setEncrypted(value);
            if (!value) setUnderstood(false);
          }}
        />
        {turningOn && (
          <div class="encrypt-confirm">
            <p role="alert">
              {t('room.encryptWarning', { room: conv.target })}
              {!store.e2e.active && ` ${t('room.encryptNoE2eHere', { room: conv.target })}`}
            </p>
            <Check label={t('room.encryptUnderstood')} value={understood} onChange={setUnderstood} />
          </div>
        )}
      </fieldset>
      <fieldset class="choices" disabled={modes === undefined}>
        <legend>{t('connect.password')}</legend>
        <p class="modal-text">{modes?.password ? t('room.passwordSet') : t('room.passwordNone')}</p>
        <label class="field">
          <span>
            {t('room.newPassword')} <small>{t('room.newPasswordHint')}</small>
          </span>
          <input type="password" value={password} maxLength={256} autoComplete="new-password" disabled={removePassword} onInput={(event) => setPassword(event.currentTarget.value)} />
        </label>
        {modes?.password && <Check label={t('room.removePassword')} hint={t('room.removePasswordHint')} value={removePassword} onChange={setRemovePassword} />}
      </fieldset>
    </ActionForm>
  );
}

/** On for good once on (shown ticked and off); only the room's owners and operators may turn it on, so the others see why they cannot. */
function EncryptionCheck({ store, conv, modes, value, onChange }: { store: ChatStore; conv: Conversation; modes: RoomModes | undefined; value: boolean; onChange: (value: boolean) => void }) {
  const on = modes?.encrypted === true;
  const mayTurnOn = permissionsOf(store).canSetRoles(conv.target);
  const hint = on ? t('room.encryptedOnHint') : mayTurnOn ? t('room.encryptedHint') : t('room.encryptedOwnersHint');
  return <Check label={t('room.encrypted')} hint={hint} value={value} disabled={on || !mayTurnOn} onChange={onChange} />;
}

function Check({ label, hint, value, disabled = false, onChange }: { label: string; hint?: string; value: boolean; disabled?: boolean; onChange: (value: boolean) => void }) {
  return (
    <label class="check">
      <input type="checkbox" checked={value} disabled={disabled} onChange={(event) => onChange(event.currentTarget.checked)} />
      <span>
        {label} {hint !== undefined && <small class="muted">{hint}</small>}
      </span>
    </label>
  );
}
