import { ParleyError, type DirectConversationInfo } from '@parley/protocol';
import type { ServerContext } from '../core/context.ts';
import type { User } from './user.ts';

/**
 * `dm:<idA>:<idB>`, the ids sorted (store.ts dmConversation): accounts' `a<n>`, guests'
 * `g<hex><base36>`, and users of other servers as `<their id>@<server id>` (federation).
 */
const DM_ID = /^dm:([ag][0-9a-z]{1,40}(?:@ps1[A-Za-z0-9_-]{43})?):([ag][0-9a-z]{1,40}(?:@ps1[A-Za-z0-9_-]{43})?)$/;

export function isConversationId(target: string): boolean {
  return target.startsWith('dm:');
}

/**
 * A direct conversation named by its id, which only its two people may read: a guest who left
 * can no longer be named (its name may belong to someone else by now), but the conversation
 * the account had with it can. Malformed ids are BAD_ARGUMENTS; someone else's conversation is
 * NO_SUCH_CONVERSATION, the same answer as one that never existed.
 */
export function requireOwnConversation(user: User, conv: string): { conv: string; peerId: string } {
  const match = DM_ID.exec(conv);
  if (!match || match[1]! > match[2]!) throw new ParleyError('BAD_ARGUMENTS', `"${conv.slice(0, 100)}" is not a conversation id (dm:<id>:<id>, as the server sent it)`);
  const [, a, b] = match as unknown as [string, string, string];
  if (a !== user.id && b !== user.id) throw new ParleyError('NO_SUCH_CONVERSATION', `${conv} is not one of your conversations`);
  return { conv, peerId: a === user.id ? b : a };
}

/** The user's direct conversations, newest first, with the other person as they are called now. */
export async function listDirectConversations(server: ServerContext, user: User, limit: number): Promise<DirectConversationInfo[]> {
  const records = await server.store.directConversations(user.id, limit);
  return records.map((r) => ({
    conv: r.conv,
    // An online peer may have changed its name since its last message (guests can).
    with: server.users.get(r.peerId)?.name ?? r.peerName,
    kind: r.peerId.startsWith('a') ? 'account' : 'guest',
    lastSeq: r.lastSeq,
    lastTs: r.lastAt,
  }));
}
