/**
 * The words of a search (`search`, docs/protocol.md), read once for everyone who searches: the
 * server, whose stores index plaintext, and clients, which search what they decrypted of
 * end-to-end encrypted conversations (no server can).
 *
 * A term is a run of letters and digits in any script, in lower case: nothing else reaches a
 * store's query syntax. At most 8 terms, none longer than 64 characters.
 */
const WORD = /[\p{L}\p{N}]+/gu;

export function searchTerms(words: string): string[] {
  return [...words.toLowerCase().matchAll(WORD)].map((m) => m[0].slice(0, 64)).slice(0, 8);
}

/** Lower case without diacritics, as SQLite's unicode61 tokenizer (remove_diacritics 2) reads text: "Café" is "cafe". */
function plain(word: string): string {
  return word.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
}

/**
 * Whether `text` matches terms read by searchTerms the way the server's index does: every term
 * is one of its words, and the last one may also begin a word (a search as you type).
 */
export function searchMatches(terms: readonly string[], text: string): boolean {
  if (terms.length === 0) return false;
  const words = new Set([...text.matchAll(WORD)].map((m) => plain(m[0])));
  return terms.every((term, i) => {
    const wanted = plain(term);
    if (words.has(wanted)) return true;
    return i === terms.length - 1 && [...words].some((word) => word.startsWith(wanted));
  });
}
