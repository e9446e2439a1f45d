import { describe, expect, it } from 'vitest';
import { applyInput, emptyInput, type InputState } from './input-state.ts';
import type { KeyCommand } from './keys.ts';

const sources = { commands: ['join', 'quit'], rooms: ['#dev'], names: ['bob'] };

function type(commands: KeyCommand[], state: InputState = emptyInput) {
  const submitted: string[] = [];
  for (const command of commands) {
    const result = applyInput(state, command, sources);
    state = result.state;
    if (result.submitted !== undefined) submitted.push(result.submitted);
  }
  return { state, submitted };
}

describe('input state', () => {
  it('types, completes, submits and recalls', () => {
    const { state, submitted } = type([
      { type: 'insert', text: '/jo' },
      { type: 'complete' },
      { type: 'insert', text: '#d' },
      { type: 'complete' },
      { type: 'submit' },
      { type: 'insert', text: 'b' },
      { type: 'complete' },
      { type: 'insert', text: 'hi' },
      { type: 'submit' },
      { type: 'submit' },
      { type: 'history', direction: -1 },
      { type: 'history', direction: -1 },
    ]);
    expect(submitted).toEqual(['/join #dev ', 'bob: hi']);
    expect(state.line).toEqual({ text: '/join #dev ', cursor: 11 });
  });

  it('edits, and leaves the line alone for keys that are not its business', () => {
    const { state } = type([{ type: 'insert', text: 'hello world' }, { type: 'edit', op: 'word' }, { type: 'edit', op: 'backspace' }, { type: 'page', direction: -1 }]);
    expect(state.line).toEqual({ text: 'hello', cursor: 5 });
  });
});
