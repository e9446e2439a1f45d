import { foldName } from '@parley/protocol';

/**
 * Which rooms are end-to-end encrypted, as the server said: the login's and join's room
 * summaries, a mode change's notice, or a plaintext send it refused (E2E_ROOM_ENCRYPTED). A send
 * to a room listed here goes through MLS; a room's conversation id is its folded name.
 */
export class EncryptedRooms {
  private readonly keys = new Set<string>();

  constructor(private readonly changed: (room: string, encrypted: boolean) => void) {}

  note(room: string, encrypted: boolean): void {
    if (this.has(room) === encrypted) return;
    if (encrypted) this.keys.add(foldName(room));
    else this.keys.delete(foldName(room));
    this.changed(room, encrypted);
  }

  has(room: string): boolean {
    return this.keys.has(foldName(room));
  }
}

/** How long a room member waits before committing a change everyone heard of: by its place in the group, so one goes first and the others find it done. */
export function roomCommitDelay(rank: number, jitterMs: number): number {
  const STEP_MS = 250;
  return Math.min(Math.max(rank, 0), 40) * STEP_MS + Math.random() * jitterMs;
}
