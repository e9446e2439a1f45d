/**
 * Up/Down through lines sent before, like a shell: the line being typed is kept as a draft and
 * comes back after the newest entry. Consecutive duplicates are stored once.
 */
export interface InputHistory {
  entries: string[];
  /** Position while browsing (entries.length = the draft). */
  index: number;
  draft: string;
}

export const MAX_HISTORY = 500;

export const emptyHistory: InputHistory = { entries: [], index: 0, draft: '' };

export function remember(history: InputHistory, line: string): InputHistory {
  const entries = line.trim() === '' || history.entries.at(-1) === line ? history.entries : [...history.entries, line].slice(-MAX_HISTORY);
  return { entries, index: entries.length, draft: '' };
}

/** Older entry; `current` is what the input shows now (saved as the draft when leaving it). */
export function older(history: InputHistory, current: string): { history: InputHistory; text: string } {
  if (history.index === 0) return { history, text: current };
  const draft = history.index === history.entries.length ? current : history.draft;
  const index = history.index - 1;
  return { history: { ...history, index, draft }, text: history.entries[index]! };
}

export function newer(history: InputHistory, current: string): { history: InputHistory; text: string } {
  if (history.index >= history.entries.length) return { history, text: current };
  const index = history.index + 1;
  return { history: { ...history, index }, text: index === history.entries.length ? history.draft : history.entries[index]! };
}
