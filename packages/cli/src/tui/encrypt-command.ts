import { ParleyClientError, type ParleyClient } from '@parley/client';
import { isRoomTarget, type ReplyData } from '@parley/protocol';

export const ENCRYPT_USAGE = '/encrypt [#room]     end-to-end encrypt a room for good (its owners): this one, or a new one';

/** What `/encrypt` needs of the UI (tui-commands.ts gives it). */
export interface EncryptContext {
  client: Pick<ParleyClient, 'request' | 'e2e'>;
  /** The room on screen, if a room is. */
  current: string | undefined;
  /** Undefined when I am not in `room`; else whether it is encrypted, as far as this client heard. */
  joined(room: string): { encrypted: boolean } | undefined;
  /** I created `room` and am in it now. */
  created(room: ReplyData['create']): void;
  /** The room's mode as the server replied. */
  encrypted(room: string, encrypted: boolean): void;
  say(text: string, room: string): void;
}

/** Said to a session without end-to-end encryption: the room it just encrypted is shut to it. */
const SHUT_OUT = ' This session has no end-to-end encryption (--no-e2e): it can neither read nor write there.';

/**
 * The server's FORBIDDEN speaks of MODE and the moderator role it checks first; whoever typed
 * `/encrypt` needs to hear who may do it (room-mode-commands.ts on the server: owners, operators).
 */
function refusal(error: unknown, room: string): unknown {
  if (!(error instanceof ParleyClientError) || error.errorName !== 'FORBIDDEN') return error;
  const { code, errorName, action } = error;
  return new ParleyClientError(`only an owner of ${room} (or a server operator) turns on its end-to-end encryption. The server said: ${error.message}`, { code, errorName, action }, { cause: error });
}

/**
 * `/encrypt [#room]`: a room I am in gets mode `encrypted` (`MODE #room +E`, which cannot be
 * undone); a room I am not in is created encrypted (`create` with `encrypted`) and joined.
 * Refusals are thrown, for the UI's usual red line.
 */
export async function runEncrypt(ctx: EncryptContext, args: string): Promise<void> {
  const words = args.trim().split(/\s+/).filter(Boolean);
  const named = words[0];
  if (words.length > 1 || (named !== undefined && !isRoomTarget(named))) throw new Error('usage: /encrypt [#room]');
  const room = named ?? ctx.current;
  if (room === undefined) throw new Error('usage: /encrypt [#room] (in a room, or name one)');
  const shutOut = ctx.client.e2e ? '' : SHUT_OUT;
  const mine = ctx.joined(room);
  if (mine?.encrypted) return ctx.say(`${room} is already end-to-end encrypted.`, room);
  if (!mine) {
    const created = await ctx.client.request('create', { room, encrypted: true });
    ctx.created(created);
    return ctx.say(`created ${created.name}, end-to-end encrypted: only its members' devices can read what is said there.${shutOut}`, created.name);
  }
  const reply = await ctx.client.request('mode', { room, encrypted: true }).catch((error: unknown) => Promise.reject(refusal(error, room)));
  ctx.encrypted(reply.room, reply.modes.encrypted);
  ctx.say(`${reply.room} is end-to-end encrypted now, for good: only its members' devices can read what is said there from here on (earlier messages stay as they were).${shutOut}`, reply.room);
}
