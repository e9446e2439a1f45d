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

  constructor(private readonly store: Store) {}

  /** Loads every room, closes guests' rooms nobody is in, and creates the configured default rooms that are missing. */
  async load(defaults: readonly string[]): Promise<void> {
    const grants = new Map<string, RoomGrant[]>();
    for (const grant of await this.store.listRoomGrants()) grants.set(grant.roomKey, [...(grants.get(grant.roomKey) ?? []), grant]);
    const records = (await this.store.listRooms()).sort((a, b) => a.createdAt - b.createdAt);
    for (const record of records) this.index(Room.fromRecord(record, grants.get(record.key)));
    // Nobody is online at start: a guest's room that no account joined was left by everyone
    // (a crash or a restart skipped its close, or it was made before rooms closed).
    for (const room of this.list()) {
      if (room.closesWhenEmpty() && !(await this.store.hasMembers(room.key))) await this.delete(room);
    }
    for (const name of defaults) {
      if (!this.find(name)) await this.create(name, '', 'server');
    }
  }

  find(name: string): Room | undefined {
    const display = validateRoomName(name);
    return this.rooms.get(foldName(display)) ?? this.lookalikes.get(nameKey(display));
  }

  require(name: string): Room {
    const room = this.find(name);
    if (!room) throw new ParleyError('NO_SUCH_ROOM', `No room ${name}; JOIN creates it`);
    return room;
  }

  async create(rawName: string, topic: string, createdBy: string): Promise<Room> {
    const name = validateRoomName(rawName);
    const key = foldName(name);
    if (this.rooms.has(key)) throw new ParleyError('ROOM_EXISTS', `${name} exists already`);
    const similar = this.lookalikes.get(nameKey(name));
    if (similar) throw new ParleyError('ROOM_EXISTS', `${name} looks like the existing room ${similar.name}`);
    try {
      const record = await this.store.createRoom({ key, name, topic, createdBy });
      const room = Room.fromRecord(record);
      this.index(room);
      return room;
    } catch (error) {
      if (error instanceof StoreError && error.code === 'conflict') throw new ParleyError('ROOM_EXISTS', `${name} exists already`);
      throw error;
    }
  }

  async delete(room: Room): Promise<void> {
    await this.store.deleteRoom(room.key);
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
  }

  async setModes(room: Room, modes: StoredRoomModes): Promise<void> {
    await this.store.setRoomModes(room.key, modes);
    room.modes = modes;
  }

  async setGrant(room: Room, grant: { userId: string; kind: RoomGrantKind; grantedBy: string }, on: boolean): Promise<void> {
    await this.store.setRoomGrant({ roomKey: room.key, ...grant }, on);
    room.setGrant(grant.userId, grant.kind, on);
  }

  list(): Room[] {
    return [...this.rooms.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  get size(): number {
    return this.rooms.size;
  }
}
