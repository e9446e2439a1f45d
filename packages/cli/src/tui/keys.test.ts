import { describe, expect, it } from 'vitest';
import { keyCommands, type KeyLike } from './keys.ts';

const none: KeyLike = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, ctrl: false, tab: false, backspace: false, delete: false, meta: false };
const k = (input: string, key: Partial<KeyLike> = {}) => keyCommands(input, { ...none, ...key });

describe('key bindings', () => {
  it('switches conversations with Alt+number and Ctrl+N/P', () => {
    expect(k('1', { meta: true })).toEqual([{ type: 'select', index: 0 }]);
    expect(k('0', { meta: true })).toEqual([{ type: 'select', index: 9 }]);
    expect(k('n', { ctrl: true })).toEqual([{ type: 'cycle', delta: 1 }]);
    expect(k('p', { ctrl: true })).toEqual([{ type: 'cycle', delta: -1 }]);
  });

  it('scrolls, browses history, completes and edits', () => {
    expect(k('', { pageUp: true })).toEqual([{ type: 'page', direction: -1 }]);
    expect(k('', { upArrow: true })).toEqual([{ type: 'history', direction: -1 }]);
    expect(k('', { tab: true })).toEqual([{ type: 'complete' }]);
    expect(k('', { delete: true })).toEqual([{ type: 'edit', op: 'backspace' }]);
    expect(k('w', { ctrl: true })).toEqual([{ type: 'edit', op: 'word' }]);
    expect(k('c', { ctrl: true })).toEqual([{ type: 'quit' }]);
  });

  it('types text, and splits a pasted chunk at line ends', () => {
    expect(k('hé')).toEqual([{ type: 'insert', text: 'hé' }]);
    expect(k('one\rtwo\r')).toEqual([{ type: 'insert', text: 'one' }, { type: 'submit' }, { type: 'insert', text: 'two' }, { type: 'submit' }]);
    expect(k('x', { meta: true })).toEqual([]);
    expect(k('a\u0007b')).toEqual([{ type: 'insert', text: 'ab' }]);
    expect(k('\u000e\u000e')).toEqual([{ type: 'cycle', delta: 1 }, { type: 'cycle', delta: 1 }]);
    expect(k('b\tx\u007f')).toEqual([{ type: 'insert', text: 'b' }, { type: 'complete' }, { type: 'insert', text: 'x' }, { type: 'edit', op: 'backspace' }]);
  });
});
