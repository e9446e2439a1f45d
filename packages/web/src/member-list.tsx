/** @jsxImportSource preact */
import type { RoomMemberInfo } from '@parley/protocol';
import { useEffect } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { roleName } from './describe-notice.ts';
import { nameColor } from './format.ts';
import { t, type MessageKey } from './i18n/index.ts';
import { FederatedName, serverOf } from './federated-name.tsx';
import { MemberActions } from './member-actions.tsx';
import { permissionsOf } from './permissions.ts';
import { presenceShown, type ShownPresence } from './presence.ts';

const HEADINGS: Readonly<Record<ShownPresence, MessageKey>> = {
  online: 'members.online',
  away: 'members.away',
  offline: 'members.offline',
  unknown: 'members.unknown',
};

/**
 * Who is in the room now (from `who`, kept current by join/part/presence/nick events). Each
 * other member has an actions menu (user info; kick and ban for moderators and operators).
 * While disconnected everyone is listed under "status unknown" with grey dots: nobody's
 * presence reaches us then (see presence.ts).
 */
export function MemberList({ store, conv, onOpen }: { store: ChatStore; conv: Conversation; onOpen: (name: string) => void }) {
  // A room joined (or created) just now may carry a room role: read the roles again.
  useEffect(() => permissionsOf(store).refresh(), [store, conv.key, conv.joined]);
  const known = presenceShown(store, 'online') !== 'unknown';
  const groups: [ShownPresence, RoomMemberInfo[]][] = known
    ? [
        ['online', conv.members.filter((m) => m.status === 'online')],
        ['away', conv.members.filter((m) => m.status === 'away')],
      ]
    : [['unknown', conv.members]];
  return (
    <div class="members-inner">
      <h2 class="members-title">
        {t('members.title')} <span class="muted">{conv.members.length}</span>
      </h2>
      {groups.map(([status, list]) =>
        list.length > 0 ? (
          <section key={status} aria-label={t(HEADINGS[status])}>
            <h3>
              {t(HEADINGS[status])} — {list.length}
            </h3>
            <ul class="member-list">
              {list.map((member) => (
                <Member key={member.name} store={store} conv={conv} member={member} status={known ? member.status : 'unknown'} onOpen={onOpen} />
              ))}
            </ul>
          </section>
        ) : null,
      )}
      {conv.members.length === 0 && <p class="muted section-empty">{conv.joined ? t('members.loading') : t('room.notIn')}</p>}
    </div>
  );
}

interface MemberProps {
  store: ChatStore;
  conv: Conversation;
  member: RoomMemberInfo;
  status: ShownPresence;
  onOpen: (name: string) => void;
}

function Member({ store, conv, member, status, onOpen }: MemberProps) {
  const me = store.isMe(member.name);
  return (
    <li class={`member ${status}`} data-status={status}>
      <button type="button" class="member-button" disabled={me} title={me ? t('members.you') : t('members.message', { name: member.name })} onClick={() => onOpen(member.name)}>
        <span class={`avatar small nc-${nameColor(member.name)}`} aria-hidden="true">
          {member.name.slice(0, 1).toUpperCase()}
          <span class={`dot ${status}`} />
        </span>
        <span class="member-name">
          <FederatedName name={member.name} />
        </span>
        {member.role && (
          <span class={`tag role ${member.role}`} aria-hidden="true">
            {member.role === 'owner' ? t('members.tagOwner') : t('members.tagMod')}
          </span>
        )}
        {member.muted && (
          <span class="tag role" aria-hidden="true">
            {t('members.tagMuted')}
          </span>
        )}
        {me && <span class="muted tag">{t('members.tagYou')}</span>}
        {/* Someone of another server is known from a join event, which does not say whether they are a guest. */}
        {member.kind === 'guest' && !me && serverOf(member.name) === undefined && <span class="muted tag">{t('members.tagGuest')}</span>}
        <span class="sr-only">
          , {t(`presence.${status}`)}
          {member.role ? `, ${t('members.srRoomRole', { role: roleName(member.role) })}` : ''}
          {member.muted ? `, ${t('members.srMuted')}` : ''}
        </span>
      </button>
      {!me && <MemberActions store={store} conv={conv} name={member.name} />}
    </li>
  );
}
