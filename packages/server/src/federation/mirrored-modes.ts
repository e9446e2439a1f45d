import type { ServerContext } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import type { Room } from '../chat/room.ts';
import { modesSentence } from '../chat/room-mode-words.ts';

/**
 * A mirrored room's home says it is end-to-end encrypted (when this server joined it, or since):
 * the mirror takes the mode so it refuses plaintext sends as the home would, its members'
 * clients encrypt (EGROUP and the rest go to the home), and, when the owners turned it on just
 * now (`by`), they hear it as they would at the home. The other modes are the home's to enforce.
 */
export async function markEncrypted(server: ServerContext, room: Room, by: string | undefined): Promise<void> {
  if (room.modes.encrypted) return;
  await server.rooms.setModes(room, { ...room.modes, encrypted: true });
  if (by === undefined) return;
  const modes = room.publicModes();
  const text = `${by} set the modes of ${room.name}: ${modesSentence(modes)}`;
  server.router.localRoom(room, new OutboundEvent({ ev: 'notice', text, room: room.name, kind: 'mode', by, modes }));
}
