import type { RoomRecord } from '../store/store.ts';
import type { User } from './user.ts';

/** A room as the server holds it in memory: its record plus the members who are online now. */
export class Room {
  readonly members = new Map<string, User>();

  constructor(
    readonly key: string,
    readonly name: string,
    public topic: string,
    readonly createdBy: string,
    readonly createdAt: number,
  ) {}

  static fromRecord(record: RoomRecord): Room {
    return new Room(record.key, record.name, record.topic, record.createdBy, record.createdAt);
  }

  summary(): { name: string; topic: string; members: number } {
    return { name: this.name, topic: this.topic, members: this.members.size };
  }
}
