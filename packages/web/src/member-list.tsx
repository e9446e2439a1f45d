/** @jsxImportSource preact */
import { useEffect } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { nameColor } from './format.ts';
import { MemberActions } from './member-actions.tsx';
import { permissionsOf } from './permissions.ts';

/**
 * Who is in the room now (from `who`, kept current by join/part/presence/nick events). Each
 * other member has an actions menu (user info; kick and ban for moderators and operators).
 */
export function MemberList({ store, conv, onOpen }: { store: ChatStore; conv: Conversation; onOpen: (name: string) => void }) {
  // A room joined (or created) just now may carry a room role: read the roles again.
  useEffect(() => permissionsOf(store).refresh(), [store, conv.key, conv.joined]);
  const online = conv.members.filter((m) => m.status === 'online');
  const away = conv.members.filter((m) => m.status === 'away');
  return (
    <div class="members-inner">
      <h2 class="members-title">
        Members <span class="muted">{conv.members.length}</span>
      </h2>
      {[
        ['Online', online],
        ['Away', away],
      ].map(([label, list]) =>
        typeof label === 'string' && Array.isArray(list) && list.length > 0 ? (
          <section key={label} aria-label={label}>
            <h3>
              {label} — {list.length}
            </h3>
            <ul class="member-list">
              {list.map((member) => {
                const me = store.isMe(member.name);
                return (
                  <li key={member.name} class={`member ${member.status}`} data-status={member.status}>
                    <button type="button" class="member-button" disabled={me} title={me ? 'You' : `Message ${member.name}`} onClick={() => onOpen(member.name)}>
                      <span class={`avatar small nc-${nameColor(member.name)}`} aria-hidden="true">
                        {member.name.slice(0, 1).toUpperCase()}
                        <span class={`dot ${member.status}`} />
                      </span>
                      <span class="member-name">{member.name}</span>
                      {member.role && (
                        <span class={`tag role ${member.role}`} aria-hidden="true">
                          {member.role === 'owner' ? 'owner' : 'mod'}
                        </span>
                      )}
                      {member.muted && (
                        <span class="tag role" aria-hidden="true">
                          muted
                        </span>
                      )}
                      {me && <span class="muted tag">you</span>}
                      {member.kind === 'guest' && !me && <span class="muted tag">guest</span>}
                      <span class="sr-only">
                        , {member.status}
                        {member.role ? `, room ${member.role}` : ''}
                        {member.muted ? ', muted' : ''}
                      </span>
                    </button>
                    {!me && <MemberActions store={store} conv={conv} name={member.name} />}
                  </li>
                );
              })}
            </ul>
          </section>
        ) : null,
      )}
      {conv.members.length === 0 && <p class="muted section-empty">{conv.joined ? 'Loading members…' : 'You are not in this room.'}</p>}
    </div>
  );
}
