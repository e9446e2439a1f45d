import type { RoomSummary } from '@parley/protocol';

/**
 * The server's room list for Tab after `/join `, so a room I am not in completes too. Read with
 * `rooms` when Tab needs it and the copy is missing or older than MAX_AGE_MS, and replaced by
 * every `/rooms` reply; rooms come and go, and one request per Tab would be a request per key.
 */
export const MAX_AGE_MS = 30_000;

export class ServerRooms {
  private rooms: string[] = [];
  private readAt: number | undefined;
  private reading: Promise<void> | undefined;

  constructor(private readonly fetch: () => Promise<RoomSummary[]>) {}

  /** The names from the latest read (none before the first). */
  names(): readonly string[] {
    return this.rooms;
  }

  fresh(now: number): boolean {
    return this.readAt !== undefined && now - this.readAt < MAX_AGE_MS;
  }

  set(rooms: readonly RoomSummary[], now: number): void {
    this.rooms = rooms.map((r) => r.name);
    this.readAt = now;
  }

  /**
   * Reads the list again; calls while a read is under way share it. Never rejects: a failed
   * read (offline, say) keeps the old names and leaves the copy stale, so the next Tab tries again.
   */
  refresh(now: () => number = Date.now): Promise<void> {
    this.reading ??= this.fetch().then(
      (rooms) => this.set(rooms, now()),
      () => undefined,
    ).finally(() => (this.reading = undefined));
    return this.reading;
  }
}
