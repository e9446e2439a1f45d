/**
 * The few symbols the encryption indicators use beyond the box-drawing and punctuation the rest
 * of the UI draws: a lock and a warning sign. A terminal that may not show them (a non-UTF-8
 * locale, the Linux console, PARLEY_ASCII=1) gets words alone. Widths come from text-width.ts
 * (the lock is a wide emoji: two columns).
 */
export interface Glyphs {
  /** Before "encrypted"; empty when the terminal cannot show it. */
  lock: string;
  /** Before a warning. */
  warning: string;
}

export const UNICODE_GLYPHS: Glyphs = { lock: '🔒 ', warning: '⚠ ' };
export const ASCII_GLYPHS: Glyphs = { lock: '', warning: '!! ' };

const TEXT_CONSOLES = new Set(['linux', 'vt100', 'vt102', 'vt220', 'dumb']);

export function glyphsFor(env: NodeJS.ProcessEnv): Glyphs {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  if (env.PARLEY_ASCII === '1' || !/utf-?8/i.test(locale) || TEXT_CONSOLES.has(env.TERM ?? '')) return ASCII_GLYPHS;
  return UNICODE_GLYPHS;
}
