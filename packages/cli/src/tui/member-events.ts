import { partReason, splitServer, type PresenceStatus, type RoomMemberInfo } from '@parley/protocol';
import { appendLine, appendSystemLine, conversationKey, sameName, updateConversation, type ChatState, type Member } from './conversations.ts';

/**
 * Who is where: each room's member list, kept current from join, part, presence, nick and room role events.
 * Every list stays sorted online-first, then by name, because the member pane shows it as is.
 */
export type MemberAction =
  /** `who`'s list; `reconnected`: asked after a reconnect (see keptRemote). */
  | { type: 'members'; room: string; members: RoomMemberInfo[]; reconnected?: true }
  | { type: 'member-joined'; room: string; user: string }
  /** `removal`: the part event's reason, and who removed them how (a kick, a room ban). */
  | { type: 'member-left'; room: string; user: string; removal?: { reason?: string | undefined; by?: string | undefined; kind?: 'kick' | 'ban' | undefined } }
  | { type: 'presence'; user: string; status: PresenceStatus }
  | { type: 'nick'; old: string; new: string }
  | { type: 'member-role'; room: string; user: string; role: 'owner' | 'moderator' | 'member'; by: string }
  /** My own `/away [message]` or `/back`, from the reply: the server sends no presence event to me. */
  | { type: 'own-presence'; status: 'online' | 'away'; message?: string };

const byPresence = (a: Member, b: Member) => Number(a.status === 'offline') - Number(b.status === 'offline') || a.name.localeCompare(b.name);

/** Rooms `user` is listed in. */
function roomsOf(state: ChatState, user: string): string[] {
  return state.order.filter((key) => state.convs[key]!.members.some((m) => sameName(m.name, user)));
}

/** `user` shown as `status` in every list it is in. */
function withStatus(state: ChatState, user: string, status: Member['status']): ChatState {
  let next = state;
  for (const key of roomsOf(state, user)) {
    next = updateConversation(next, key, (conv) => ({ members: conv.members.map((m) => (sameName(m.name, user) ? { ...m, status } : m)).sort(byPresence) }));
  }
  return next;
}

/**
 * `who` lists a room's members on this server only, wherever the room is homed: people of other
 * servers (`bob@b.example`) are known from their join events, so they stay across a `who` until
 * their part, or a reconnect (their part may have been missed meanwhile).
 */
function keptRemote(known: readonly Member[], { members, reconnected }: { members: readonly RoomMemberInfo[]; reconnected?: true }): Member[] {
  if (reconnected) return [];
  return known.filter((m) => splitServer(m.name).server !== undefined && !members.some((listed) => sameName(listed.name, m.name)));
}

export function reduceMemberEvent(state: ChatState, action: MemberAction): ChatState {
  switch (action.type) {
    case 'members': {
      const listed = action.members.map((m): Member => ({ name: m.name, status: m.status, kind: m.kind, ...(m.role ? { role: m.role } : {}), ...(m.muted ? { muted: m.muted } : {}) }));
      return updateConversation(state, conversationKey(action.room), (conv) => ({ members: [...listed, ...keptRemote(conv.members, action)].sort(byPresence) }));
    }
    case 'member-joined': {
      const key = conversationKey(action.room);
      const next = updateConversation(state, key, (conv) => ({
        members: [...conv.members.filter((m) => !sameName(m.name, action.user)), { name: action.user, status: 'online' as const, kind: 'guest' as const }].sort(byPresence),
      }));
      return appendLine(next, key, { kind: 'event', ts: Date.now(), text: `→ ${action.user} joined` });
    }
    case 'member-left': {
      const key = conversationKey(action.room);
      const next = updateConversation(state, key, (conv) => ({ members: conv.members.filter((m) => !sameName(m.name, action.user)) }));
      const { kind, by, reason } = action.removal ?? {};
      // Removed myself: said as what happened to me, in the room it happened in.
      if (kind && sameName(action.user, state.me)) {
        const text = `You were ${kind === 'kick' ? 'kicked' : 'banned'} from ${action.room} by ${by ?? 'a moderator'}${reason ? `: ${reason}` : ''}`;
        return appendLine(next, key, { kind: 'error', ts: Date.now(), text });
      }
      const why = action.removal ? partReason(action.removal) : undefined;
      return appendLine(next, key, { kind: 'event', ts: Date.now(), text: `← ${action.user} left${why ? ` (${why})` : ''}` });
    }
    case 'member-role': {
      const key = conversationKey(action.room);
      const next = updateConversation(state, key, (conv) => ({
        members: conv.members.map((m) => {
          if (!sameName(m.name, action.user)) return m;
          const { role: _old, ...rest } = m;
          return action.role === 'member' ? rest : { ...rest, role: action.role };
        }),
      }));
      // The person named hears it from the server's notice already.
      if (sameName(action.user, state.me)) return next;
      return appendLine(next, key, { kind: 'event', ts: Date.now(), text: `${action.by} made ${action.user} ${action.role}` });
    }
    case 'own-presence': {
      const next = withStatus(state, state.me, action.status);
      return { ...next, away: action.status === 'away' ? (action.message ? { message: action.message } : {}) : undefined };
    }
    case 'presence': {
      // A guest that goes offline is gone (its memberships end with its last connection); an
      // account stays listed as offline.
      let next = withStatus(state, action.user, action.status);
      if (action.status !== 'offline') return next;
      for (const key of roomsOf(next, action.user)) {
        next = updateConversation(next, key, (conv) => ({ members: conv.members.filter((m) => !(sameName(m.name, action.user) && m.kind === 'guest')) }));
      }
      return next;
    }
    case 'nick': {
      // My own rename comes as an event to every connection of mine, the one that asked too
      // (which may have taken the new name from the reply already): said once, where I am.
      const mine = sameName(action.old, state.me) || sameName(action.new, state.me);
      let next: ChatState = mine ? { ...state, me: action.new } : state;
      for (const key of roomsOf(state, action.old)) {
        next = updateConversation(next, key, (conv) => ({ members: conv.members.map((m) => (sameName(m.name, action.old) ? { ...m, name: action.new } : m)).sort(byPresence) }));
        if (!mine) next = appendLine(next, key, { kind: 'event', ts: Date.now(), text: `${action.old} is now ${action.new}` });
      }
      if (mine) return appendSystemLine(next, { kind: 'event', ts: Date.now(), text: `you are now ${action.new}` });
      // The direct-message conversation moves to the new name; when one under the new name is
      // already open, the old one is left as it is (its lines are not merged).
      const oldKey = conversationKey(action.old);
      const dm = next.convs[oldKey];
      const newKey = conversationKey(action.new);
      if (dm && dm.kind === 'dm' && !next.convs[newKey]) {
        const { [oldKey]: _old, ...convs } = next.convs;
        next = {
          ...next,
          order: next.order.map((k) => (k === oldKey ? newKey : k)),
          convs: { ...convs, [newKey]: { ...dm, key: newKey, label: action.new } },
          active: next.active === oldKey ? newKey : next.active,
        };
        next = appendLine(next, newKey, { kind: 'event', ts: Date.now(), text: `${action.old} is now ${action.new}` });
      }
      return next;
    }
  }
}
