import { foldName, partReason, splitServer, type MemberInfo, type RoomMemberInfo } from '@parley/protocol';
import type { ChatStore } from './chat-store.ts';
import { byName } from './conversation.ts';
import { roleName, withReason } from './describe-notice.ts';
import { t } from './i18n/index.ts';
import type { ClientEvents } from '@parley/client';

/** How long `refreshMembers` waits to gather rooms into one burst of `who` requests. */
const WHO_BATCH_MS = 50;

/**
 * Keeps each room's live state current from the server's room events: who is in it and their
 * presence (join, part, presence, nick), its topic, and whether we are in it (our own join and
 * part events, room_deleted). Where events cannot tell the whole story it asks the server (`who`)
 * again. ChatStore owns one and tells it about our own joins and away status; renaming us and our
 * direct conversations on a nick stays with ChatStore, which owns the conversations.
 *
 * It listens to the client itself, like Permissions, and is made in ChatStore's constructor before
 * the store's own listeners, so on a `nick` the room notices come before the direct-message one.
 */
export class RoomTracker {
  private whoTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly whoPending = new Set<string>();

  constructor(
    private readonly store: ChatStore,
    /** The store's coalesced change notification (one per microtask). */
    private readonly changed: () => void,
  ) {
    const { client } = store;
    client.on('join', ({ room, user }) => this.onJoin(room, user));
    client.on('part', (part) => this.onPart(part));
    client.on('topic', ({ room, topic, by }) => {
      const conv = store.room(room);
      conv.topic = topic;
      store.notice(conv, topic ? t('event.topicSet', { by, topic }) : t('event.topicCleared', { by }));
    });
    client.on('room_deleted', ({ room, by }) => {
      const conv = store.room(room);
      conv.joined = false;
      conv.members = [];
      store.notice(conv, t('event.roomDeleted', { by, room: conv.target }));
    });
    client.on('room_role', ({ room, user, role, by }) => {
      const conv = store.room(room);
      const member = conv.members.find((m) => foldName(m.name) === foldName(user));
      if (member) {
        const { role: _old, ...rest } = member;
        conv.setMember(role === 'member' ? rest : { ...rest, role });
      }
      // The person named hears it from the server's notice already.
      if (!store.isMe(user)) store.notice(conv, t('event.roleSet', { by, name: user, role: roleName(role) }));
      this.changed();
    });
    client.on('presence', ({ user, status }) => this.onPresence(user, status));
    client.on('nick', (change) => this.onNick(change.old, change.new));
    client.on('state', (change) => {
      // Joins, parts and presence changes during the outage were not replayed to us.
      if (change.state === 'connected' && change.resumed) {
        // Nor parts of other servers' people, whom `who` does not list (withRemote).
        for (const conv of store.conversations.values()) conv.members = conv.members.filter((m) => !isRemote(m.name));
        this.refreshMembers(this.joinedRooms());
      }
    });
  }

  /** Re-reads member lists, batched: presence, joins and reconnects can come in bursts. */
  refreshMembers(rooms: string[]): void {
    for (const room of rooms) this.whoPending.add(room);
    if (this.whoTimer !== undefined) return;
    this.whoTimer = setTimeout(() => {
      this.whoTimer = undefined;
      const batch = [...this.whoPending];
      this.whoPending.clear();
      for (const room of batch) {
        this.store.client.request('who', { room }).then(
          ({ room: name, members }) => {
            const conv = this.store.room(name);
            conv.members = withRemote(members, conv.members);
            this.changed();
          },
          () => undefined, // gone or not reachable now; the next event or reconnect asks again
        );
      }
    }, WHO_BATCH_MS);
  }

  /** Shows our own away status in every list we are in at once; the server sends us no presence event for it. */
  showOwnStatus(status: 'online' | 'away'): void {
    for (const conv of this.store.conversations.values()) {
      const self = conv.members.find((m) => this.store.isMe(m.name));
      if (self) conv.setMember({ ...self, status });
    }
  }

  private onJoin(room: string, user: string): void {
    const conv = this.store.room(room);
    if (this.store.isMe(user)) {
      conv.joined = true; // another of our connections joined it
    } else {
      conv.setMember({ name: user, status: 'online', kind: conv.members.find((m) => foldName(m.name) === foldName(user))?.kind ?? 'guest' });
      this.store.notice(conv, t('event.joined', { name: user }));
    }
    this.refreshMembers([room]);
  }

  private onPart(part: ClientEvents['part']): void {
    const { room, user } = part;
    const conv = this.store.room(room);
    const reason = partReason(part);
    if (this.store.isMe(user)) {
      conv.joined = false;
      conv.members = [];
      // Said in the room it is about, with who did it and why: a moderator's removal is not a part.
      if (part.kind) {
        const by = part.by ?? t('event.aModerator');
        this.store.notice(conv, withReason(t(part.kind === 'kick' ? 'event.youRemoved' : 'event.youBanned', { room, by }), part.reason), 'error');
      } else this.store.notice(conv, t('event.youLeft'));
      return;
    }
    conv.removeMember(user);
    this.store.notice(conv, reason ? t('event.leftReason', { name: user, reason }) : t('event.left', { name: user }));
  }

  private onPresence(user: string, status: MemberInfo['status']): void {
    let known = false;
    for (const conv of this.store.conversations.values()) {
      const member = conv.members.find((m) => foldName(m.name) === foldName(user));
      if (!member) continue;
      known = true;
      if (status === 'offline') conv.removeMember(user);
      else conv.setMember({ ...member, status });
    }
    // Someone who came online in a room we share (guests enter the default rooms unannounced).
    if (!known && status !== 'offline') this.refreshMembers(this.joinedRooms());
    this.changed();
  }

  private onNick(old: string, name: string): void {
    for (const conv of this.store.conversations.values()) {
      const member = conv.members.find((m) => foldName(m.name) === foldName(old));
      if (member) {
        conv.removeMember(old);
        conv.setMember({ ...member, name });
        this.store.notice(conv, t('event.nick', { old, name }));
      }
    }
    this.changed();
  }

  private joinedRooms(): string[] {
    return [...this.store.conversations.values()].filter((c) => c.kind === 'room' && c.joined).map((c) => c.target);
  }
}

const isRemote = (name: string) => splitServer(name).server !== undefined;

/**
 * `who` lists a room's members on this server only, wherever the room is homed: people of other
 * servers (`bob@b.example`) are known here from their join events, so they are kept across a
 * `who` until their part (or a reconnect, when a part may have been missed).
 */
function withRemote(listed: readonly RoomMemberInfo[], known: readonly RoomMemberInfo[]): RoomMemberInfo[] {
  const names = new Set(listed.map((m) => foldName(m.name)));
  return [...listed, ...known.filter((m) => isRemote(m.name) && !names.has(foldName(m.name)))].sort(byName);
}
