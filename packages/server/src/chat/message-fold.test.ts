import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../store/store.ts';
import { foldEvents } from './message-fold.ts';
import { isReaction } from './message-changes.ts';

const at = (seq: number, extra: Partial<StoredMessage>): StoredMessage => ({ conv: '#r', seq, senderId: 'a1', senderName: 'alice', target: '#r', text: '', createdAt: seq, ...extra });
const original = at(1, { text: 'v1' });

describe('foldEvents', () => {
  it("takes the author's latest edit, ignores others' and events about other messages", () => {
    const fold = foldEvents(original, [
      at(2, { kind: 'edit', ref: 1, text: 'v2' }),
      at(3, { kind: 'edit', ref: 1, text: 'by bob', senderId: 'a2' }),
      at(4, { kind: 'edit', ref: 9, text: 'elsewhere' }),
      at(5, { kind: 'edit', ref: 1, text: 'v3' }),
    ]);
    expect(fold).toMatchObject({ text: 'v3', edited: 5, edits: [2, 5], redacted: false });
  });

  it('counts each person once per emoji, in the order they reacted, and forgets taken-back reactions', () => {
    const fold = foldEvents(original, [
      at(2, { kind: 'react', ref: 1, text: '👍', senderId: 'a2', senderName: 'bob' }),
      at(3, { kind: 'react', ref: 1, text: '👍' }),
      at(4, { kind: 'react', ref: 1, text: '👍', senderId: 'a2', senderName: 'bob' }),
      at(5, { kind: 'react', ref: 1, text: '🎉' }),
      at(6, { kind: 'unreact', ref: 1, text: '🎉' }),
    ]);
    expect([...fold.reactions].map(([emoji, who]) => [emoji, [...who.values()]])).toEqual([['👍', ['bob', 'alice']]]);
  });

  it('a redaction ends it: no text, no reactions, no later edits', () => {
    const fold = foldEvents(original, [at(2, { kind: 'react', ref: 1, text: '👍' }), at(3, { kind: 'redact', ref: 1 }), at(4, { kind: 'edit', ref: 1, text: 'too late' }), at(5, { kind: 'react', ref: 1, text: '🎉' })]);
    expect(fold).toMatchObject({ redacted: true, edits: [] });
    expect(fold.text).toBeUndefined();
    expect(fold.reactions.size).toBe(0);
  });
});

describe('isReaction', () => {
  it('takes one emoji, sequences and flags included, and nothing else', () => {
    for (const emoji of ['👍', '👍🏽', '🇫🇷', '👩‍👩‍👧', '1️⃣', '❤️']) expect(isReaction(emoji), emoji).toBe(true);
    for (const text of ['', 'a', 'ok', '👍👍', '👍 ', '<b>', 'x'.repeat(40)]) expect(isReaction(text), text).toBe(false);
  });
});
