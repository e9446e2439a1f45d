/**
 * How every surface splits a typed command: the command word, the words after it, and the
 * free text after the first n words with the typist's own spacing kept (a message, a reason,
 * a topic). One splitter, so the server's text mode and the clients' slash commands can never
 * disagree about where an argument ends.
 */
export interface CommandWords {
  /** The command word as typed, without its prefix ("join" for "/join #dev"). */
  readonly word: string;
  /** The whitespace-separated words after the command word. */
  readonly words: readonly string[];
  /** The text after the first `n` words, leading whitespace dropped, inner spacing kept. */
  rest(n: number): string;
}

const SPACE = /\s/;

export function splitWords(body: string): CommandWords {
  const match = /^(\S*)\s*([\s\S]*)$/.exec(body);
  const word = match?.[1] ?? '';
  const tail = match?.[2] ?? '';
  return { word, words: tail.split(/\s+/).filter(Boolean), rest: (n) => skipWords(tail, n) };
}

function skipWords(text: string, n: number): string {
  let at = 0;
  for (let i = 0; i < n; i++) {
    while (at < text.length && SPACE.test(text[at]!)) at++;
    while (at < text.length && !SPACE.test(text[at]!)) at++;
  }
  while (at < text.length && SPACE.test(text[at]!)) at++;
  return text.slice(at);
}
