import { foldName, nameKey, ParleyError, validateRoomName } from '@parley/protocol';
import { StoreError, type RoomGrant, type RoomGrantKind, type Store, type StoredRoomModes } from '../store/store.ts';
import { Room } from './room.ts';

/**
 * All rooms, mirrored in memory from the store (loaded once at start, written through). A
 * room's key (its conversation id) is the case fold of its name; `lookalikes` indexes rooms by
 * the lookalike key as well, so "#gеneral" with a Cyrillic е finds #general and cannot be
 * created beside it. Rooms created before lookalikes were folded keep their keys; where two of
 * them look alike, the older one answers to lookalike names and each still answers to its own.
 */
export class RoomDirectory {
  private readonly rooms = new Map<string, Room>();
  private readonly lookalikes = new Map<string, Room>();

  /** Told of every change made here (a cluster node tells the others to refresh the room). */
  onChanged: ((key: string) => void) | undefined;

  constructor(private readonly store: Store) {}

  /**
   * Re-reads one room after another node changed it: its topic, modes and grants, a room made
   * there, or one deleted there (returned as `removed`, for the caller to empty).
   */
  async refresh(key: string): Promise<{ room?: Room; removed?: Room }> {
    const record = (await this.store.listRooms()).find((r) => r.key === key);
    const grants = record ? await this.store.listRoomGrants(key) : [];
    // Looked up after the reads: another refresh of this room (the bus's, a create that lost
    // the race) may have indexed it meanwhile, and members may have joined that one.
    const existing = this.rooms.get(key);
    if (!record) {
      if (existing) this.unindex(existing);
      return existing ? { removed: existing } : {};
    }
    if (existing && existing.createdAt === record.createdAt) {
      existing.topic = record.topic;
      existing.modes = record.modes;
      existing.replaceGrants(grants);
      return { room: existing };
    }
    if (existing) this.unindex(existing);
    const room = Room.fromRecord(record, grants);
    this.index(room);
    return existing ? { room, removed: existing } : { room };
  }

  /**
   * Loads every room, closes guests' rooms nobody is in, and creates the configured default rooms
   * that are missing. A node of a cluster keeps the guests' rooms: their members may be online on
   * other nodes, which close them when they leave.
   */
  async load(defaults: readonly string[], options: { clustered?: boolean } = {}): Promise<void> {
    const grants = new Map<string, RoomGrant[]>();
    for (const grant of await this.store.listRoomGrants()) grants.set(grant.roomKey, [...(grants.get(grant.roomKey) ?? []), grant]);
    const records = (await this.store.listRooms()).sort((a, b) => a.createdAt - b.createdAt);
    for (const record of records) this.index(Room.fromRecord(record, grants.get(record.key)));
    // Nobody is online at start: a guest's room that no account joined was left by everyone
    // (a crash or a restart skipped its close, or it was made before rooms closed).
    for (const room of options.clustered ? [] : this.list()) {
      if (room.closesWhenEmpty() && !(await this.store.hasMembers(room.key))) await this.delete(room);
    }
    for (const name of defaults) {
      if (this.find(name)) continue;
      try {
        await this.create(name, { topic: '', createdBy: 'server' });
      } catch (error) {
        // Another node starting at the same time made it first.
        if (!(error instanceof ParleyError && error.errorName === 'ROOM_EXISTS')) throw error;
        await this.refresh(foldName(validateRoomName(name)));
      }
    }
  }

  find(name: string): Room | undefined {
    const display = validateRoomName(name);
    return this.rooms.get(foldName(display)) ?? this.lookalikes.get(nameKey(display));
  }

  /** The room whose key (conversation id) this is, without parsing a name. */
  byKey(key: string): Room | undefined {
    return this.rooms.get(key);
  }

  require(name: string): Room {
    const room = this.find(name);
    if (!room) throw new ParleyError('NO_SUCH_ROOM', `No room ${name}; JOIN creates it`);
    return room;
  }

  /** `encrypted`: the room is end-to-end encrypted from its first message (mode `encrypted`). */
  async create(rawName: string, { topic, createdBy, encrypted }: { topic: string; createdBy: string; encrypted?: boolean }): Promise<Room> {
    const name = validateRoomName(rawName);
    const key = foldName(name);
    if (this.rooms.has(key)) throw new ParleyError('ROOM_EXISTS', `${name} exists already`);
    const similar = this.lookalikes.get(nameKey(name));
    if (similar) throw new ParleyError('ROOM_EXISTS', `${name} looks like the existing room ${similar.name}`);
    try {
      const record = await this.store.createRoom({ key, name, topic, createdBy, ...(encrypted ? { encrypted: true } : {}) });
      const room = Room.fromRecord(record);
      this.index(room);
      this.onChanged?.(key);
      return room;
    } catch (error) {
      if (error instanceof StoreError && error.code === 'conflict') {
        // Another node of a cluster made it first: know it here too, as it is.
        if (this.onChanged) await this.refresh(key);
        throw new ParleyError('ROOM_EXISTS', `${name} exists already`);
      }
      throw error;
    }
  }

  async delete(room: Room): Promise<void> {
    await this.store.deleteRoom(room.key);
    // A room made again under the name starts without the old one's encrypted group.
    await this.store.e2e.deleteGroupOfConv(room.key);
    this.unindex(room);
    this.onChanged?.(room.key);
  }

  private unindex(room: Room): void {
    if (this.rooms.get(room.key) !== room) return;
    this.rooms.delete(room.key);
    const lookalike = nameKey(room.name);
    if (this.lookalikes.get(lookalike) === room) {
      this.lookalikes.delete(lookalike);
      // Another room from before the lookalike fold may share the lookalike key.
      const next = [...this.rooms.values()].filter((r) => nameKey(r.name) === lookalike).sort((a, b) => a.createdAt - b.createdAt)[0];
      if (next) this.lookalikes.set(lookalike, next);
    }
  }

  private index(room: Room): void {
    this.rooms.set(room.key, room);
    const lookalike = nameKey(room.name);
    if (!this.lookalikes.has(lookalike)) this.lookalikes.set(lookalike, room);
  }

  async setTopic(room: Room, topic: string): Promise<void> {
    await this.store.setTopic(room.key, topic);
    room.topic = topic;
    this.onChanged?.(room.key);
  }

  async setModes(room: Room, modes: StoredRoomModes): Promise<void> {
    await this.store.setRoomModes(room.key, modes);
    room.modes = modes;
    this.onChanged?.(room.key);
  }

  async setGrant(room: Room, grant: { userId: string; kind: RoomGrantKind; grantedBy: string }, on: boolean): Promise<void> {
    await this.store.setRoomGrant({ roomKey: room.key, ...grant }, on);
    room.setGrant(grant.userId, grant.kind, on);
    this.onChanged?.(room.key);
  }

  list(): Room[] {
    return [...this.rooms.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  get size(): number {
    return this.rooms.size;
  }
}
