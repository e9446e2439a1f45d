import type { RoomModes, RoomSummary } from '@parley/protocol';
import { NO_ROOM_MODES, type RoomGrant, type RoomGrantKind, type RoomRecord, type StoredRoomModes } from '../store/store.ts';
import type { User } from './user.ts';

/**
 * A room as the server holds it in memory: its record, its modes and grants (roles, mutes,
 * invitations, written through to the store), and the members who are online now.
 */
export class Room {
  readonly key: string;
  readonly name: string;
  topic: string;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly members = new Map<string, User>();
  modes: StoredRoomModes = NO_ROOM_MODES;
  /** user id -> the grants it holds here. */
  private readonly grants = new Map<string, Set<RoomGrantKind>>();

  constructor({ key, name, topic, createdBy, createdAt }: Omit<RoomRecord, 'modes'>) {
    this.key = key;
    this.name = name;
    this.topic = topic;
    this.createdBy = createdBy;
    this.createdAt = createdAt;
  }

  static fromRecord(record: RoomRecord, grants: readonly RoomGrant[] = []): Room {
    const room = new Room(record);
    room.modes = record.modes;
    for (const grant of grants) room.setGrant(grant.userId, grant.kind, true);
    return room;
  }

  /** Takes the grants as stored (another node changed them). */
  replaceGrants(grants: readonly RoomGrant[]): void {
    this.grants.clear();
    for (const grant of grants) this.setGrant(grant.userId, grant.kind, true);
  }

  hasGrant(userId: string, kind: RoomGrantKind): boolean {
    return this.grants.get(userId)?.has(kind) ?? false;
  }

  setGrant(userId: string, kind: RoomGrantKind, on: boolean): void {
    const held = this.grants.get(userId) ?? new Set<RoomGrantKind>();
    if (on) held.add(kind);
    else held.delete(kind);
    if (held.size > 0) this.grants.set(userId, held);
    else this.grants.delete(userId);
  }

  /**
   * A room a guest created closes when its last member leaves, as an IRC channel does: nobody
   * can come back as that guest to own it, so left empty it would be listed forever. Rooms
   * created by accounts and by the server (`rooms.default`) stay until deleted.
   */
  closesWhenEmpty(): boolean {
    return this.createdBy.startsWith('g');
  }

  /** Invite-only and password-protected rooms keep their members, topic and history to themselves. */
  isPrivate(): boolean {
    return this.modes.inviteOnly || this.modes.passwordHash !== '';
  }

  /** `online`: members online on every node (membership.ts onlineCount); this node's alone by default. */
  summary(online = this.members.size): RoomSummary {
    return { name: this.name, topic: this.topic, members: online, ...(this.modes.encrypted ? { encrypted: true as const } : {}) };
  }

  publicModes(): RoomModes {
    const { inviteOnly, passwordHash, moderated, topicLock, encrypted } = this.modes;
    return { inviteOnly, password: passwordHash !== '', moderated, topicLock, encrypted };
  }
}
