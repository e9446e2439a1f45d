import type { ReplyData, Verb } from '@parley/protocol';
import type { Channel } from './channel.ts';
import { ParleyClientError } from './errors.ts';

export interface LostRoom {
  room: string;
  error: ParleyClientError;
}

/**
 * Joins again, on a new connection, the rooms the client was in; returns those it could not.
 *
 * A room that refuses us now (it became invite-only, a ban, an /oper that ended with the old
 * connection) is dropped from `rooms`, not retried: the same join would fail on every reconnect,
 * and the client used to loop on it forever. Only a transient failure (a timeout, a rate limit)
 * is thrown, failing the handshake so the client reconnects and tries again. A room that no
 * longer exists is dropped without a report: `room_deleted` said so when it happened.
 */
export async function rejoinRooms(
  channel: Channel,
  { rooms, cursors, timeoutMs, joined: onJoined }: { rooms: Set<string>; cursors: Map<string, number>; timeoutMs: number; joined?: (room: ReplyData['join']) => void },
): Promise<LostRoom[]> {
  const lost: LostRoom[] = [];
  for (const room of [...rooms]) {
    const joined = await channel.request('join', { room }, timeoutMs).catch((error: unknown) => {
      if (error instanceof ParleyClientError && error.isFatal) return error;
      throw error;
    });
    if (joined instanceof ParleyClientError) {
      rooms.delete(room);
      if (joined.errorName !== 'NO_SUCH_ROOM') lost.push({ room, error: joined });
    }
    else {
      onJoined?.(joined);
      // A room seen for the first time starts at its newest message; a known one resumes later.
      if (!cursors.has(joined.conv)) cursors.set(joined.conv, joined.lastSeq);
    }
  }
  return lost;
}

/** Rooms to rejoin after a reconnect follow every reply that changes them, however it was asked. */
export function trackRooms(state: { rooms: Set<string>; cursors: Map<string, number> }, reply: { cmd: Verb; data: unknown }): void {
  const { cmd, data } = reply;
  if (cmd === 'join' || cmd === 'create') {
    const joined = data as ReplyData['join'];
    state.rooms.add(joined.name);
    if (!state.cursors.has(joined.conv)) state.cursors.set(joined.conv, joined.lastSeq);
  } else if (cmd === 'part' || cmd === 'delete') {
    state.rooms.delete((data as ReplyData['part']).room);
  }
}
