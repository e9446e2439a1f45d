import { foldName, isRoomTarget, SEARCH_MAX_RESULTS, searchMatches, searchTerms } from '@parley/protocol';
import { ParleyClientError } from '../errors.ts';
import type { ClientMessage } from '../types.ts';
import { decryptedMessage } from './archive.ts';
import type { E2eEnv } from './context.ts';

/** What `e2e.search` looks through: one conversation (its id), or all, and the filters of the server's `search`. */
export interface ArchiveSearch {
  conv?: string;
  /** Only messages whose sender had this name (case-insensitive). */
  from?: string;
  /** Only messages sent at or after / before these times (ms). */
  after?: number;
  before?: number;
  /** At most this many results (default and most: SEARCH_MAX_RESULTS). */
  limit?: number;
}

/**
 * Search of encrypted conversations on this device: no server can, since it holds only
 * ciphertext. A scan, newest first, of what this device archived (decrypted or sent) in each
 * conversation, with the server's term rules (searchTerms, searchMatches in @parley/protocol),
 * matching each message in its current version; redacted messages are left out. Edits and
 * reactions are not results of their own (an edit's text is its message's current version).
 */
export async function searchArchive(env: E2eEnv, words: string, filters: ArchiveSearch = {}): Promise<ClientMessage[]> {
  const terms = searchTerms(words);
  if (terms.length === 0) throw ParleyClientError.named('BAD_ARGUMENTS', 'search: give at least one word of letters or digits');
  const limit = Math.min(filters.limit ?? SEARCH_MAX_RESULTS, SEARCH_MAX_RESULTS);
  await env.convs.open();
  const self = env.self();
  // Only this user's conversations (a guest that came back under a new id keeps old ones it cannot read).
  const convs = filters.conv !== undefined ? [filters.conv] : env.convs.list().filter((c) => isRoomTarget(c) || c.split(':').includes(self.userId));
  const found = (await Promise.all(convs.map((conv) => searchConversation(env, conv, { terms, filters, limit })))).flat();
  return found.sort((a, b) => b.ts - a.ts || b.seq - a.seq).slice(0, limit);
}

async function searchConversation(env: E2eEnv, conv: string, query: { terms: string[]; filters: ArchiveSearch; limit: number }): Promise<ClientMessage[]> {
  const meta = await env.convs.peekMeta(conv);
  if (!meta) return [];
  const { filters, limit } = query;
  const results: ClientMessage[] = [];
  const newest = Math.max(meta.processed, ...meta.own);
  for (let seq = newest; seq > meta.joinedSeq && results.length < limit; seq--) {
    const entry = await env.archive.get(conv, seq);
    if (!entry || entry.redacted || (entry.kind !== undefined && entry.kind !== 'action')) continue;
    const ts = entry.ts ?? 0;
    if (filters.from !== undefined && foldName(entry.from ?? '') !== foldName(filters.from)) continue;
    if ((filters.after !== undefined && ts < filters.after) || (filters.before !== undefined && ts >= filters.before)) continue;
    const header = { conv, seq, from: entry.from ?? '', to: entry.to ?? meta.peer ?? '', ts, text: '' };
    const message = await env.archive.current(decryptedMessage(header, entry));
    if (!message.redacted && searchMatches(query.terms, message.text)) results.push(message);
  }
  return results;
}
