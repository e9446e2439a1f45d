/** @jsxImportSource preact */
import { foldName, type RoomRole } from '@parley/protocol';
import { useEffect, useState } from 'preact/hooks';
import { describeFailure } from './describe-error.ts';
import { ReasonField } from './dialog-fields.tsx';
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
    store.notice(conv, `You muted ${muted.name} in ${muted.room}${text ? `: ${text}` : ''}`);
    store.refreshMembers(conv.target);
  };
  return (
    <ActionForm title={`Mute ${name} in ${conv.target}`} submitLabel="Mute" danger run={run} onClose={onClose}>
      <p class="modal-text">They stay in the room and can read it, but cannot write to it until unmuted.</p>
      <ReasonField value={reason} onInput={setReason} />
    </ActionForm>
  );
}

/** The server tells nobody who is muted, so Unmute is always offered; unmuting someone who is not muted changes nothing. */
export function UnmuteDialog({ store, conv, name, onClose }: ActionProps) {
  const run = async () => {
    const unmuted = await store.client.request('unmute', { room: conv.target, name });
    store.notice(conv, `You unmuted ${unmuted.name} in ${unmuted.room}`);
    store.refreshMembers(conv.target);
  };
  return (
    <ActionForm title={`Unmute ${name} in ${conv.target}`} submitLabel="Unmute" run={run} onClose={onClose}>
      <p class="modal-text">They may write in {conv.target} again.</p>
    </ActionForm>
  );
}

const ROOM_ROLES: [role: RoomRole, label: string, hint: string][] = [
  ['member', 'Member', 'no moderation rights'],
  ['moderator', 'Moderator', 'may kick, mute, ban from the room, set its modes and invite'],
  ['owner', 'Owner', 'also names moderators and owners'],
];

/** Their role in this room, preselected from `userinfo` (the only place the server reports it). */
export function RoomRoleDialog({ store, conv, name, onClose }: ActionProps) {
  const [role, setRole] = useState<RoomRole>();
  const [loadError, setLoadError] = useState<string>();
  useEffect(() => {
    store.client.request('userinfo', { name }).then(
      (info) => setRole((current) => current ?? info.rooms.find((r) => foldName(r.name) === foldName(conv.target))?.role ?? 'member'),
      (failure: unknown) => setLoadError(describeFailure(failure)),
    );
  }, [name, conv.target]);
  const run = async () => {
    if (!role) return;
    const set = await store.client.request('roomrole', { room: conv.target, name, role });
    store.notice(conv, `You made ${set.name} ${set.role} of ${set.room}`);
    store.refreshMembers(conv.target);
  };
  return (
    <ActionForm title={`Room role of ${name} in ${conv.target}`} submitLabel="Set role" run={run} onClose={onClose} ready={role !== undefined} loadError={loadError}>
      <fieldset class="choices" disabled={role === undefined}>
        <legend>Role in {conv.target}</legend>
        {ROOM_ROLES.map(([value, label, hint]) => (
          <label key={value} class="check">
            <input type="radio" name="room-role" value={value} checked={role === value} onChange={() => setRole(value)} />
            <span>
              {label} <small class="muted">{hint}</small>
            </span>
          </label>
        ))}
      </fieldset>
    </ActionForm>
  );
}
