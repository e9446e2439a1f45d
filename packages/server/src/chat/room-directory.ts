import { nameKey, ParleyError, validateRoomName } from '@parley/protocol';
import { StoreError, type RoomGrant, type RoomGrantKind, type Store, type StoredRoomModes } from '../store/store.ts';
import { Room } from './room.ts';

/** All rooms, mirrored in memory from the store (loaded once at start, written through). */
export class RoomDirectory {
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly store: Store) {}

  /** Loads every room and creates the configured default rooms that are missing. */
  async load(defaults: readonly string[]): Promise<void> {
    const grants = new Map<string, RoomGrant[]>();
    for (const grant of await this.store.listRoomGrants()) grants.set(grant.roomKey, [...(grants.get(grant.roomKey) ?? []), grant]);
    for (const record of await this.store.listRooms()) this.rooms.set(record.key, Room.fromRecord(record, grants.get(record.key)));
    for (const name of defaults) {
      if (!this.find(name)) await this.create(name, '', 'server');
    }
  }

  find(name: string): Room | undefined {
    return this.rooms.get(nameKey(validateRoomName(name)));
  }

  require(name: string): Room {
    const room = this.find(name);
    if (!room) throw new ParleyError('NO_SUCH_ROOM', `No room ${name}; JOIN creates it`);
    return room;
  }

  async create(rawName: string, topic: string, createdBy: string): Promise<Room> {
    const name = validateRoomName(rawName);
    const key = nameKey(name);
    if (this.rooms.has(key)) throw new ParleyError('ROOM_EXISTS', `${name} exists already`);
    try {
      const record = await this.store.createRoom({ key, name, topic, createdBy });
      const room = Room.fromRecord(record);
      this.rooms.set(key, room);
      return room;
    } catch (error) {
      if (error instanceof StoreError && error.code === 'conflict') throw new ParleyError('ROOM_EXISTS', `${name} exists already`);
      throw error;
    }
  }

  async delete(room: Room): Promise<void> {
    await this.store.deleteRoom(room.key);
    this.rooms.delete(room.key);
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
