import { complete, type Completion, type CompletionSources } from './completion.ts';
import { emptyHistory, newer, older, remember, type InputHistory } from './input-history.ts';
import type { KeyCommand } from './keys.ts';
import { backspace, deleteForward, deleteToStart, deleteWordBack, emptyLine, end, home, insert, left, lineOf, right, type LineState } from './line-editor.ts';

/** Everything the input line remembers: the text, earlier lines, and a Tab cycle in progress. */
export interface InputState {
  line: LineState;
  history: InputHistory;
  completion: Completion | undefined;
}

export const emptyInput: InputState = { line: emptyLine, history: emptyHistory, completion: undefined };

const EDITS = { backspace, delete: deleteForward, left, right, home, end, word: deleteWordBack, kill: deleteToStart } as const;

/**
 * Applies one editing command. Returns the submitted line, if any, for the caller to run; other
 * commands (scrolling, switching) are not the input line's business and leave it unchanged.
 */
export function applyInput(state: InputState, command: KeyCommand, sources: CompletionSources): { state: InputState; submitted?: string } {
  switch (command.type) {
    case 'insert':
      return { state: { ...state, line: insert(state.line, command.text), completion: undefined } };
    case 'edit':
      return { state: { ...state, line: EDITS[command.op](state.line), completion: undefined } };
    case 'complete': {
      const result = complete(state.line, sources, state.completion);
      return { state: { ...state, line: { text: result.text, cursor: result.cursor }, completion: result.completion } };
    }
    case 'history': {
      const moved = command.direction < 0 ? older(state.history, state.line.text) : newer(state.history, state.line.text);
      return { state: { line: lineOf(moved.text), history: moved.history, completion: undefined } };
    }
    case 'submit': {
      const text = state.line.text;
      if (text.trim() === '') return { state: { ...state, line: emptyLine, completion: undefined } };
      return { state: { line: emptyLine, history: remember(state.history, text), completion: undefined }, submitted: text };
    }
    default:
      return { state };
  }
}
