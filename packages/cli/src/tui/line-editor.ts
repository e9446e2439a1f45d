/** The input line: text and a cursor (a code-unit index). Pure functions, one per key. */
export interface LineState {
  text: string;
  cursor: number;
}

export const emptyLine: LineState = { text: '', cursor: 0 };

export const lineOf = (text: string): LineState => ({ text, cursor: text.length });

// Moves by whole code points so the cursor never lands inside a surrogate pair.
const prevIndex = (text: string, at: number) => (at >= 2 && /[\udc00-\udfff]/.test(text[at - 1]!) && /[\ud800-\udbff]/.test(text[at - 2]!) ? at - 2 : Math.max(0, at - 1));
const nextIndex = (text: string, at: number) => (/[\ud800-\udbff]/.test(text[at] ?? '') && /[\udc00-\udfff]/.test(text[at + 1] ?? '') ? at + 2 : Math.min(text.length, at + 1));

export function insert(line: LineState, typed: string): LineState {
  return { text: line.text.slice(0, line.cursor) + typed + line.text.slice(line.cursor), cursor: line.cursor + typed.length };
}

export function backspace(line: LineState): LineState {
  const at = prevIndex(line.text, line.cursor);
  return { text: line.text.slice(0, at) + line.text.slice(line.cursor), cursor: at };
}

export function deleteForward(line: LineState): LineState {
  return { text: line.text.slice(0, line.cursor) + line.text.slice(nextIndex(line.text, line.cursor)), cursor: line.cursor };
}

export const left = (line: LineState): LineState => ({ ...line, cursor: prevIndex(line.text, line.cursor) });
export const right = (line: LineState): LineState => ({ ...line, cursor: nextIndex(line.text, line.cursor) });
export const home = (line: LineState): LineState => ({ ...line, cursor: 0 });
export const end = (line: LineState): LineState => ({ ...line, cursor: line.text.length });

/** Ctrl+W: deletes the word before the cursor (and the spaces after it). */
export function deleteWordBack(line: LineState): LineState {
  const before = line.text.slice(0, line.cursor).replace(/\S*\s*$/, '');
  return { text: before + line.text.slice(line.cursor), cursor: before.length };
}

/** Ctrl+U: deletes everything before the cursor. */
export const deleteToStart = (line: LineState): LineState => ({ text: line.text.slice(line.cursor), cursor: 0 });
