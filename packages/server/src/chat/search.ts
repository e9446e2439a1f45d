import { CONVERSATIONS_MAX, ParleyError, SEARCH_MAX_RESULTS, type CommandArgs, type ReplyData } from '@parley/protocol';
import type { Actor } from '../core/context.ts';
import { searchTerms, type StoredMessage } from '../store/store.ts';
import { foldPage, isOwnMessage } from './message-fold.ts';
import { resolveConversation } from './send.ts';

/**
 * Full-text search over what the user may read: the rooms it is in and its direct conversations
 * (or the one conversation `in` names, read as `history` would allow). Plaintext only: encrypted
 * conversations are searched by the clients, over what they decrypted. A hit on an edit stands
 * for its message; each result is in its current version, and a redacted one is left out.
 */
export async function searchMessages(actor: Actor, args: CommandArgs<'search'>): Promise<ReplyData['search']> {
  const { server, user } = actor;
  const terms = searchTerms(args.words);
  if (terms.length === 0) throw new ParleyError('BAD_ARGUMENTS', 'search: give at least one word of letters or digits');
  const convs =
    args.in !== undefined
      ? [(await resolveConversation(server, user, args.in)).conv]
      : [...user.rooms.keys(), ...(await server.store.directConversations(user.id, CONVERSATIONS_MAX)).map((d) => d.conv)];
  const limit = args.limit ?? SEARCH_MAX_RESULTS;
  const hits = await server.store.search({
    terms,
    convs,
    limit,
    ...(args.from !== undefined ? { from: args.from } : {}),
    ...(args.after !== undefined ? { after: args.after } : {}),
    ...(args.before !== undefined ? { before: args.before } : {}),
  });
  const results = await Promise.all(groupByConv(hits).map(([conv, messages]) => originalsOf(actor, conv, messages)));
  const found = results.flat().filter((m) => !m.redacted);
  found.sort((a, b) => b.ts - a.ts || b.seq - a.seq);
  return { results: found.slice(0, limit) };
}

function groupByConv(hits: readonly StoredMessage[]): [string, StoredMessage[]][] {
  const groups = new Map<string, StoredMessage[]>();
  for (const hit of hits) groups.set(hit.conv, [...(groups.get(hit.conv) ?? []), hit]);
  return [...groups];
}

/** The messages the hits stand for (an edit's is its ref), once each, folded to their current version. */
async function originalsOf(actor: Actor, conv: string, hits: readonly StoredMessage[]) {
  const { server } = actor;
  const seqs = [...new Set(hits.map((h) => (isOwnMessage(h) ? h.seq : (h.ref ?? h.seq))))];
  const originals: StoredMessage[] = [];
  for (const seq of seqs) {
    const [message] = await server.store.history(conv, { after: seq - 1, limit: 1 });
    if (message?.seq === seq && isOwnMessage(message)) originals.push(message);
  }
  return foldPage(server, conv, originals);
}
