import { textWidth, truncate } from './text-width.ts';

/**
 * Fitting the status bar's parts into the terminal's width. What matters most when the
 * terminal is narrow is the connection state (am I connected, and if not, when is the next
 * try), so the other parts give way first: each takes its shorter forms, then is cut with "…"
 * or left out. A 40-column terminal still shows " TLS │ connected │ alice".
 */
export interface StatusPart {
  text: string;
  /** Shorter forms, longest first, tried before the text is cut. */
  shorter?: readonly string[];
  /** Parts give way in rising order of `keep`; the one with the highest is cut last and never left out. */
  keep: number;
}

const SEPARATOR = '│';
/** A part cut below this many columns says too little to be worth its separator: it is left out. */
const MIN_CUT = 6;

/** The parts as shown, in their order: " text " with a separator before all but the first shown; "" for a part left out. */
function segments(texts: readonly string[]): string[] {
  let shown = 0;
  return texts.map((text) => (text === '' ? '' : `${shown++ > 0 ? SEPARATOR : ''} ${text} `));
}

const widthOf = (texts: readonly string[]) => segments(texts).reduce((sum, segment) => sum + textWidth(segment), 0);

const cut = (text: string, width: number) => (textWidth(text) <= width ? text : `${truncate(text, Math.max(0, width - 1))}…`);

/** One segment per part (empty when left out); together at most `width` columns. */
export function fitStatus(parts: readonly StatusPart[], width: number): string[] {
  const texts = parts.map((part) => part.text);
  const order = parts.map((_, i) => i).sort((a, b) => parts[a]!.keep - parts[b]!.keep);
  // Shorter forms first, all of them, before anything is cut: "TLS" beats a cut-off address.
  for (const i of order) {
    for (const form of parts[i]!.shorter ?? []) {
      if (widthOf(texts) <= width) break;
      texts[i] = form;
    }
  }
  const last = order.at(-1);
  for (const i of order) {
    const over = widthOf(texts) - width;
    if (over <= 0) break;
    const room = textWidth(texts[i]!) - over;
    texts[i] = room >= MIN_CUT || i === last ? cut(texts[i]!, Math.max(1, room)) : '';
  }
  // Still too wide only when the last part alone is (a long "closed: …" on a tiny terminal).
  let used = 0;
  return segments(texts).map((segment) => {
    const shown = truncate(segment, Math.max(0, width - used));
    used += textWidth(shown);
    return shown;
  });
}
