import { ALL_TARGET, ParleyError, type ServerEvent } from '@parley/protocol';
import type { Actor } from '../core/context.ts';
import { OutboundEvent } from '../core/outbound.ts';
import { TokenBucket } from '../core/rate-limit.ts';
import type { Session } from '../core/session.ts';
import { resolveTarget } from './send.ts';

/**
 * Typing notices: never stored, sent to the conversation's other people (on every node of a
 * cluster), at most messages.typing_per_minute per connection (more are dropped without an
 * error: a client repeats them while its user types, and a lost one only expires early).
 * Clients forget a notice after TYPING_EXPIRES_MS. Not carried to other servers.
 */
const buckets = new WeakMap<Session, TokenBucket>();

function allowed(actor: Actor): boolean {
  const perMinute = actor.server.config.messages.typing_per_minute;
  let bucket = buckets.get(actor.session);
  if (!bucket) buckets.set(actor.session, (bucket = new TokenBucket(perMinute, Math.max(1, Math.ceil(perMinute / 6)))));
  return bucket.take() === 0;
}

export async function sendTyping(actor: Actor, to: string, on: boolean): Promise<{ conv: string }> {
  if (to.toUpperCase() === ALL_TARGET) throw new ParleyError('BAD_ARGUMENTS', 'Typing goes to a room or a person, not ALL');
  const { server, user } = actor;
  const destination = await resolveTarget(server, user, { target: to, mustBeMember: true });
  if (!allowed(actor)) return { conv: destination.conv };
  const event: ServerEvent = { ev: 'typing', conv: destination.conv, user: user.name, on };
  const out = new OutboundEvent(event);
  if (destination.room) {
    // Everyone in the room but the typist (whose other devices do not need it).
    for (const member of destination.room.members.values()) if (member !== user) server.router.localUser(member, out);
    server.cluster?.toRoom(destination.room, event);
  } else if (destination.peer && destination.peer.id !== user.id) {
    const peer = server.users.get(destination.peer.id);
    if (peer) server.router.localUser(peer, out);
    server.cluster?.toUserId(destination.peer.id, event);
  }
  return { conv: destination.conv };
}
