/**
 * Which link targets a message may carry: an allowlist, so `javascript:`, `data:`, `vbscript:`,
 * `file:` and any scheme a browser learns later stay plain text.
 */
const SCHEMES = new Set(['http:', 'https:', 'mailto:']);
const SCHEME_PREFIX = /^(?:https?:\/\/|mailto:)/i;
// Whitespace and controls never reach here from the parsers, but a caller may pass anything.
// A backslash is refused because URL() reads it as "/" in http(s) URLs: the text shown and the
// place reached would differ (`https://a.example\@b.example` goes to a.example).
const REFUSED = /[\u0000-\u0020\u007f-\u009f\\]/;

/** The normalised target (`URL.href`: punycode hosts, so a look-alike name shows what it is) or undefined. */
export function safeHref(raw: string): string | undefined {
  // The text itself must start with the scheme: nothing relative, nothing URL() would repair.
  if (!SCHEME_PREFIX.test(raw) || REFUSED.test(raw)) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (!SCHEMES.has(url.protocol)) return undefined;
  if (url.protocol !== 'mailto:' && url.hostname === '') return undefined;
  if (url.protocol === 'mailto:' && url.pathname === '') return undefined;
  return url.href;
}

const URL_START = /https?:\/\//iy;
/** Where a bare URL stops (GFM's extended autolinks stop at whitespace and `<`; quotes and backticks end one in chat text). */
const URL_STOP = /[\s<>"`\\]/u;
/** Trailing characters GFM leaves out of a bare URL: "see https://example.com." links without the period. */
const TRAILING = new Set(['?', '!', '.', ',', ':', ';', '*', '_', '~', "'"]);

/**
 * The end of a bare `http(s)://` URL starting at `start`, or undefined. `stop(i)` says where
 * another construct begins (a code span, a link) so a URL never runs into it. Each character is
 * looked at a bounded number of times, so a long run of URL characters costs linear time.
 */
export function bareUrlEnd(text: string, start: number, limit: { end: number; stop: (i: number) => boolean }): number | undefined {
  URL_START.lastIndex = start;
  if (!URL_START.test(text)) return undefined;
  const hostStart = URL_START.lastIndex;
  let end = hostStart;
  // Unmatched closers so far: "(see https://example.com/a_(b))" keeps the balanced ")" and drops the aside's.
  let parens = 0;
  let brackets = 0;
  while (end < limit.end && !URL_STOP.test(text[end]!) && !limit.stop(end)) {
    const c = text[end];
    if (c === '(') parens--;
    else if (c === ')') parens++;
    else if (c === '[') brackets--;
    else if (c === ']') brackets++;
    end++;
  }
  while (end > hostStart) {
    const last = text[end - 1]!;
    if (last === ')' && parens > 0) parens--;
    else if (last === ']' && brackets > 0) brackets--;
    else if (!TRAILING.has(last)) break;
    end--;
  }
  return end > hostStart ? end : undefined;
}
