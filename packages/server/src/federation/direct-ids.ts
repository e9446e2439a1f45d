import { dmParticipants } from '../chat/conversation-delivery.ts';
import type { ServerContext } from '../core/context.ts';

/** The other person of a direct conversation id, as seen by `one` of its two (ids of other servers are `<id>@<server id>`). */
export function otherParticipant(conv: string, one: string): string | undefined {
  return dmParticipants(conv).find((id) => id !== one);
}

/** The local account of a direct conversation that `sender` wrote to, when it is offline here: the message waits in its queue. */
export function offlineAccountOf(server: ServerContext, conv: string, sender: string): number | undefined {
  const id = otherParticipant(conv, sender);
  return id !== undefined && id.startsWith('a') && !id.includes('@') && !server.users.get(id) ? Number(id.slice(1)) : undefined;
}
