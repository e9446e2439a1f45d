import { describe, expect, it } from 'vitest';
import { backspace, deleteForward, deleteToStart, deleteWordBack, emptyLine, end, home, insert, left, lineOf, right } from './line-editor.ts';

describe('line editor', () => {
  it('inserts at the cursor and moves by code points', () => {
    let line = insert(emptyLine, 'helo');
    line = insert(left(line), 'l');
    expect(line).toEqual({ text: 'hello', cursor: 4 });
    line = lineOf('a😀b');
    expect(left(left(line)).cursor).toBe(1);
    expect(backspace(left(line))).toEqual({ text: 'ab', cursor: 1 });
    expect(deleteForward(home(line))).toEqual({ text: '😀b', cursor: 0 });
    expect(right(home(line)).cursor).toBe(1);
    expect(end(home(line)).cursor).toBe(4);
  });

  it('deletes a word or the start of the line', () => {
    expect(deleteWordBack(lineOf('/msg bob hel'))).toEqual({ text: '/msg bob ', cursor: 9 });
    expect(deleteWordBack(lineOf('one two  '))).toEqual({ text: 'one ', cursor: 4 });
    expect(deleteToStart({ text: 'abcdef', cursor: 3 })).toEqual({ text: 'def', cursor: 0 });
  });
});
