import unhomoglyph from 'unhomoglyph';

/**
 * The lookalike ("confusable") fold behind name keys, after the skeleton of Unicode UTS #39
 * section 4: NFD, each character replaced by the prototype it is confusable with in
 * confusables.txt, NFD again. The data comes from the `unhomoglyph` package (confusables.txt
 * of Unicode 13.0, the table matrix-js-sdk uses for the same purpose). Parley departs from the
 * plain skeleton where a name key needs it:
 *
 * - Only non-ASCII characters are replaced. confusables.txt also folds ASCII into ASCII
 *   (I, 1 and | into l, 0 into O, m into rn); Parley leaves plain ASCII names to case folding
 *   alone (docs/protocol.md, "Names"), and ASCII inside a mixed name is treated the same way,
 *   so a key never depends on whether the rest of the name is ASCII.
 * - The input is case-folded first (UTS #39 says to do so for case-insensitive identifiers),
 *   so the key of a name is the key of its upper and its lower case. Because of that a
 *   letter whose small form looks like nothing Latin while its capital looks exactly like a
 *   Latin capital (Cyrillic в/В and B, н/Н and H, Greek κ/Κ and K) would escape the fold; for
 *   those the capital's prototype is used when it is ASCII and the small one's is not.
 * - The prototype "rn" (the class of m) becomes "m", matching ASCII's own m.
 * - Default-ignorable characters (zero-width, fillers) are dropped: validation refuses them in
 *   new names, and a lookup with one hidden in it finds the visible name.
 */
const ASCII = /^[\x00-\x7f]*$/;
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;
/** Per code point results; the domain is finite but large, so the cache is bounded. */
const cache = new Map<string, string>();
const CACHE_MAX = 4096;

function asciiPrototype(text: string): string | undefined {
  const prototype = unhomoglyph(text);
  if (!ASCII.test(prototype)) return undefined;
  return prototype === 'rn' ? 'm' : prototype;
}

function prototypeOf(char: string): string {
  const cached = cache.get(char);
  if (cached !== undefined) return cached;
  let result: string;
  if (DEFAULT_IGNORABLE.test(char)) result = '';
  else {
    const upper = char.toUpperCase();
    result = asciiPrototype(char) ?? (upper === char ? undefined : asciiPrototype(upper)) ?? unhomoglyph(char);
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(char, result);
  return result;
}

/** The lookalike fold of case-folded text; NFC at the end, so text with no lookalikes keeps its fold unchanged. */
export function skeletonOfFolded(folded: string): string {
  let out = '';
  for (const char of folded.normalize('NFD')) out += char <= '\x7f' ? char : prototypeOf(char);
  // Prototypes can be capitals (Cyrillic А -> A); fold once more so case never matters.
  return out.toUpperCase().toLowerCase().normalize('NFC');
}
