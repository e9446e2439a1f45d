import { foldName, type RoomModes } from '@parley/protocol';

/** What the server says about a room in a login's list, a `join` or `create` reply. */
export interface RoomSummaryEncryption {
  name: string;
  encrypted?: true | undefined;
}

/**
 * Which rooms are end-to-end encrypted, as this tab heard it from the server. The page keeps
 * its own list rather than asking the SDK: a tab without end-to-end encryption has no
 * `client.e2e` and gets no `e2e_room` events, yet its indicator and message box must say that a
 * room is encrypted. Keyed by the folded name, as the server keys rooms (its conversation id).
 *
 * The mode is never turned off, but a room deleted and made again under its name starts plain:
 * a newer summary saying "not encrypted" wins, so every source notes both ways.
 */
export class RoomEncryption {
  private readonly encrypted = new Set<string>();

  constructor(private readonly changed: () => void) {}

  has(room: string): boolean {
    return this.encrypted.has(foldName(room));
  }

  /** Calls `changed` only when this changes what the page shows. */
  note(room: string, encrypted: boolean): void {
    const key = foldName(room);
    if (this.encrypted.has(key) === encrypted) return;
    if (encrypted) this.encrypted.add(key);
    else this.encrypted.delete(key);
    this.changed();
  }

  /** A room summary: `encrypted` is present only for an encrypted room, so its absence says plain. */
  noteSummary(summary: RoomSummaryEncryption): void {
    this.note(summary.name, summary.encrypted === true);
  }

  /** A `mode` reply, or the `mode` notice another member's change sends (the modes after it). */
  noteModes(room: string, modes: Pick<RoomModes, 'encrypted'>): void {
    this.note(room, modes.encrypted);
  }
}
