import type { ChatMessage } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import type { Line } from './conversations.ts';
import { applyLineChange, firstLine, reactionText, replyQuote } from './message-changes.ts';
import { parseHandle, resolveHandle, searchResultText } from './message-commands.ts';
import { highlightMentions, paneRows, type Row } from './message-rows.ts';

const text = (row: Row) => row.map((s) => s.text).join('');
const line = (seq: number, from: string, body: string): Line => ({ kind: 'message', ts: 0, seq, from, text: body, conv: '#dev' });
const more = (base: Line, extra: Partial<Line>): Line => ({ ...base, ...extra });
/** A change by `from` to message `ref`, as it arrives. */
const change = (kind: ChatMessage['kind'], ref: number, { from, text }: { from: string; text: string }): ChatMessage => ({ conv: '#dev', seq: 100, from, to: '#dev', text, ts: 5, kind, ref });

describe('changes to the lines on screen', () => {
  it('applies the author’s edit, a redaction and reactions; ignores others’ edits and unknown messages', () => {
    const lines = [line(1, 'bob', 'hello'), line(2, 'alice', 'hi')];
    const edited = applyLineChange(lines, change('edit', 1, { from: 'bob', text: 'hello all' }));
    expect(edited[0]).toMatchObject({ text: 'hello all', edited: 5 });
    expect(applyLineChange(lines, change('edit', 1, { from: 'mallory', text: 'x' }))).toBe(lines);
    expect(applyLineChange(lines, change('edit', 9, { from: 'bob', text: 'x' }))).toBe(lines);
    const reacted = applyLineChange(applyLineChange(lines, change('react', 2, { from: 'bob', text: '👍' })), change('react', 2, { from: 'carol', text: '👍' }));
    expect(reacted[1]!.reactions).toEqual([{ emoji: '👍', count: 2, users: ['bob', 'carol'] }]);
    const taken = applyLineChange(reacted, change('unreact', 2, { from: 'bob', text: '👍' }));
    expect(taken[1]!.reactions).toEqual([{ emoji: '👍', count: 1, users: ['carol'] }]);
    const gone = applyLineChange(reacted, change('redact', 2, { from: 'alice', text: '' }));
    expect(gone[1]).toMatchObject({ text: '', redacted: true });
    expect(gone[1]!.reactions).toBeUndefined();
  });

  it('writes reactions, quotes and first lines', () => {
    expect(reactionText([{ emoji: '👍', count: 2, users: [] }, { emoji: '🎉', count: 1, users: [] }])).toBe('👍 2  🎉 1');
    expect(firstLine('one\ntwo')).toBe('one');
    expect(firstLine('x'.repeat(80), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(replyQuote({ from: 'bob', text: 'hello\nmore' }, 1)).toBe('↪ bob: hello');
    expect(replyQuote({ from: 'bob', text: '', redacted: true }, 1)).toBe('↪ bob: (message deleted)');
    expect(replyQuote(undefined, 7)).toBe('↪ message 7');
  });
});

describe('message handles', () => {
  it('takes a number, else the last message (mine for /edit)', () => {
    expect(parseHandle('12 new text')).toEqual({ seq: 12, rest: 'new text' });
    expect(parseHandle(' 12 ')).toEqual({ seq: 12, rest: '' });
    expect(parseHandle('👍')).toEqual({ seq: undefined, rest: '👍' });
    const conv = { lines: [line(1, 'alice', 'mine'), line(2, 'bob', 'theirs'), more(line(3, 'alice', 'gone'), { redacted: true }), { kind: 'event' as const, ts: 0, text: 'x' }] };
    expect(resolveHandle(conv, { seq: undefined, rest: '' }, { me: 'Alice', mine: true })).toBe(1);
    expect(resolveHandle(conv, { seq: undefined, rest: '' }, { me: 'alice', mine: false })).toBe(2);
    expect(resolveHandle(conv, { seq: 9, rest: '' }, { me: 'alice', mine: true })).toBe(9);
  });

  it('names a search result’s conversation', () => {
    expect(searchResultText({ to: '#dev', from: 'bob', seq: 4, text: 'release\nnotes' }, 'alice')).toBe('#dev 4 bob: release');
    expect(searchResultText({ to: 'alice', from: 'bob', seq: 2, text: 'psst' }, 'alice')).toBe('@bob 2 bob: psst');
  });
});

describe('rows of changed messages', () => {
  it('ends messages with their numbers and shows (edited), deletions, reply quotes, reactions and the new divider', () => {
    const lines = [line(1, 'bob', 'hello'), more(line(9, 'alice', 'answer'), { reply: 1, edited: 3 }), more(line(10, 'bob', 'x'), { redacted: true }), more(line(11, 'bob', 'ok'), { reactions: [{ emoji: '👍', count: 2, users: [] }] })];
    const rows = paneRows(lines, 60, { me: 'alice', divider: 9, numbers: true }).map(text);
    expect(rows[0]).toMatch(/^\d\d:\d\d bob: hello \[1\]$/);
    expect(rows[1]).toContain('↪ bob: hello');
    expect(rows[2]).toMatch(/^\d\d:\d\d alice: answer \(edited\) \[9\]$/);
    expect(rows[3]).toContain(' new ');
    expect(rows[4]).toMatch(/bob: \(message deleted\) \[10\]$/);
    expect(rows[6]!.trim()).toBe('👍 2');
    expect(paneRows(lines, 60).map(text)[0]).toMatch(/bob: hello$/);
  });

  it('highlights @me, not a longer name', () => {
    const row = highlightMentions([{ text: 'hi @Alice and @alicia' }], 'alice');
    expect(row.map((s) => s.text)).toEqual(['hi ', '@Alice', ' and @alicia']);
    expect(row[1]).toMatchObject({ color: 'yellow', bold: true });
  });
});
