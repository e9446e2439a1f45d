import { describe, expect, it } from 'vitest';
import { REACTION_NAMES_MAX, type ChatMessage, type MessageKind } from '@parley/protocol';
import { applyChange, foldChange, isChange } from './message-fold.ts';

const base = { conv: '#dev', to: '#dev' };
const original: ChatMessage = { ...base, seq: 1, from: 'alice', text: 'helo', ts: 100 };
let next = 10;
const change = (kind: MessageKind, from: string, text: string): ChatMessage => ({ ...base, seq: next++, from, text, ts: next * 10, kind, ref: 1 });

describe('applyChange and foldChange', () => {
  it("applies the author's edits, and no one else's", () => {
    const edit = change('edit', 'Alice', 'hello');
    const [edited] = applyChange([original], edit);
    expect(edited).toEqual({ ...original, text: 'hello', edited: edit.ts });
    const list = [original];
    expect(applyChange(list, change('edit', 'mallory', 'pwned'))).toBe(list);
  });

  it('a redaction empties the text, drops reactions and the edit time; later edits and reactions do nothing', () => {
    let message = foldChange(original, change('edit', 'alice', 'hello'));
    message = foldChange(message, change('react', 'bob', '👍'));
    message = foldChange(message, change('redact', 'mod', 'spam'));
    expect(message).toEqual({ ...original, text: '', redacted: true });
    expect(foldChange(message, change('edit', 'alice', 'back'))).toBe(message);
    expect(foldChange(message, change('react', 'bob', '👍'))).toBe(message);
    expect(foldChange(message, change('redact', 'alice', ''))).toBe(message);
  });

  it('counts reactions once per person and emoji, most used first, and takes them back in order', () => {
    let message = original;
    for (const [kind, from, emoji] of [
      ['react', 'bob', '👍'],
      ['react', 'carol', '🎉'],
      ['react', 'dave', '🎉'],
      ['react', 'BOB', '👍'],
      ['unreact', 'erin', '👍'],
      ['react', 'bob', '🎉'],
    ] as const) {
      message = foldChange(message, change(kind, from, emoji));
    }
    expect(message.reactions).toEqual([
      { emoji: '🎉', count: 3, users: ['carol', 'dave', 'bob'] },
      { emoji: '👍', count: 1, users: ['bob'] },
    ]);
    message = foldChange(message, change('unreact', 'bob', '👍'));
    expect(message.reactions).toEqual([{ emoji: '🎉', count: 3, users: ['carol', 'dave', 'bob'] }]);
    for (const from of ['carol', 'dave', 'bob']) message = foldChange(message, change('unreact', from, '🎉'));
    expect(message.reactions).toBeUndefined();
  });

  it('keeps counting past the names a history entry lists', () => {
    const names = Array.from({ length: REACTION_NAMES_MAX }, (_, i) => `u${i}`);
    const fromHistory: ChatMessage = { ...original, reactions: [{ emoji: '👀', count: 25, users: names }] };
    const more = foldChange(fromHistory, change('react', 'zed', '👀'));
    expect(more.reactions).toEqual([{ emoji: '👀', count: 26, users: names }]);
    // Someone not listed may be one of the five not shown.
    expect(foldChange(more, change('unreact', 'hidden', '👀')).reactions?.[0]?.count).toBe(25);
  });

  it('leaves the list alone for messages it does not hold and for messages that are not changes', () => {
    const list = [original];
    expect(applyChange(list, { ...change('edit', 'alice', 'x'), ref: 99 })).toBe(list);
    expect(applyChange(list, { ...change('edit', 'alice', 'x'), conv: '#other' })).toBe(list);
    const reply: ChatMessage = { ...base, seq: 5, from: 'bob', text: 'yes', ts: 1, reply: 1 };
    expect(applyChange(list, reply)).toBe(list);
    expect(isChange(reply)).toBe(false);
    expect(isChange(change('unreact', 'bob', '👍'))).toBe(true);
    expect(isChange({ kind: 'action' })).toBe(false);
  });
});
