/** @jsxImportSource preact */
import { foldName, type RoomRole } from '@parley/protocol';
import { useEffect, useState } from 'preact/hooks';
import { describeError } from './describe-error.ts';
import { ReasonField } from './dialog-fields.tsx';
import { roleName, withReason } from './describe-notice.ts';
import { t, type MessageKey } from './i18n/index.ts';
import { ActionForm } from './modal.tsx';
import type { ActionProps } from './moderation-dialogs.tsx';

/**
 * A member's room-scoped moderation (docs/protocol.md, `mute`, `unmute`, `roomrole`; the room
 * ban shares its dialog with the server ban in moderation-dialogs.tsx): what a room's moderators
 * may do in their room, and server operators anywhere. Each leaves a line in the room for the
 * person who did it; the target hears from the server.
 */

/** Stops them speaking here; the mute is stored, so it outlasts their connection. */
export function MuteDialog({ store, conv, name, onClose }: ActionProps) {
  const [reason, setReason] = useState('');
  const run = async () => {
    const text = reason.trim();
    const muted = await store.client.request('mute', { room: conv.target, name, ...(text ? { reason: text } : {}) });
    store.notice(conv, withReason(t('mod.youMuted', { name: muted.name, room: muted.room }), text));
    store.refreshMembers(conv.target);
  };
  return (
    <ActionForm title={t('mod.muteTitle', { name, room: conv.target })} submitLabel={t('actions.mute')} danger run={run} onClose={onClose}>
      <p class="modal-text">{t('mod.muteText')}</p>
      <ReasonField value={reason} onInput={setReason} />
    </ActionForm>
  );
}

/** The server tells nobody who is muted, so Unmute is always offered; unmuting someone who is not muted changes nothing. */
export function UnmuteDialog({ store, conv, name, onClose }: ActionProps) {
  const run = async () => {
    const unmuted = await store.client.request('unmute', { room: conv.target, name });
    store.notice(conv, t('mod.youUnmuted', { name: unmuted.name, room: unmuted.room }));
    store.refreshMembers(conv.target);
  };
  return (
    <ActionForm title={t('mod.unmuteTitle', { name, room: conv.target })} submitLabel={t('actions.unmute')} run={run} onClose={onClose}>
      <p class="modal-text">{t('mod.unmuteText', { room: conv.target })}</p>
    </ActionForm>
  );
}

const ROOM_ROLES: [role: RoomRole, label: MessageKey, hint: MessageKey][] = [
  ['member', 'roles.member', 'roles.memberHint'],
  ['moderator', 'roles.moderator', 'roles.moderatorHint'],
  ['owner', 'roles.owner', 'roles.ownerHint'],
];

/** Their role in this room, preselected from `userinfo` (the only place the server reports it). */
export function RoomRoleDialog({ store, conv, name, onClose }: ActionProps) {
  const [role, setRole] = useState<RoomRole>();
  const [loadError, setLoadError] = useState<string>();
  useEffect(() => {
    store.client.request('userinfo', { name }).then(
      (info) => setRole((current) => current ?? info.rooms.find((r) => foldName(r.name) === foldName(conv.target))?.role ?? 'member'),
      (failure: unknown) => setLoadError(describeError(failure)),
    );
  }, [name, conv.target]);
  const run = async () => {
    if (!role) return;
    const set = await store.client.request('roomrole', { room: conv.target, name, role });
    store.notice(conv, t('mod.youMadeRole', { name: set.name, role: roleName(set.role), room: set.room }));
    store.refreshMembers(conv.target);
  };
  return (
    <ActionForm title={t('mod.roleTitle', { name, room: conv.target })} submitLabel={t('mod.setRole')} run={run} onClose={onClose} ready={role !== undefined} loadError={loadError}>
      <fieldset class="choices" disabled={role === undefined}>
        <legend>{t('mod.roleIn', { room: conv.target })}</legend>
        {ROOM_ROLES.map(([value, label, hint]) => (
          <label key={value} class="check">
            <input type="radio" name="room-role" value={value} checked={role === value} onChange={() => setRole(value)} />
            <span>
              {t(label)} <small class="muted">{t(hint)}</small>
            </span>
          </label>
        ))}
      </fieldset>
    </ActionForm>
  );
}
