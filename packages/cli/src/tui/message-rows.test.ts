import { describe, expect, it } from 'vitest';
import type { Line } from './conversations.ts';
import { lineRows, paneRows, visibleRows, type Row } from './message-rows.ts';
import { textWidth } from './text-width.ts';

const at = (h: number, m: number, d = 30) => new Date(2026, 10, d, h, m).getTime();
const text = (row: Row) => row.map((s) => s.text).join('');

describe('message rows', () => {
  it('formats time, colored name and text, wrapped under the text', () => {
    const line: Line = { kind: 'message', ts: at(9, 5), from: 'alice', text: 'the quick brown fox jumps over the lazy dog', seq: 1 };
    const rows = lineRows(line, 30);
    expect(rows.map(text)).toEqual(['09:05 alice: the quick brown', '             fox jumps over', '             the lazy dog']);
    expect(rows[0]![1]).toMatchObject({ text: 'alice', bold: true });
    expect(rows[0]![1]!.color).toBeDefined();
    for (const row of rows) expect(textWidth(text(row))).toBeLessThanOrEqual(30);
  });

  it('shows an action as a sentence about its sender, the name in its color', () => {
    const rows = lineRows({ kind: 'message', ts: at(9, 5), from: 'alice', text: 'waves at everyone here', seq: 3, action: true }, 30);
    expect(rows.map(text)).toEqual(['09:05 * alice waves at', '              everyone here']);
    expect(rows[0]![2]).toMatchObject({ text: 'alice', bold: true });
  });

  it('marks a DM that was not end-to-end encrypted before the name', () => {
    const rows = lineRows({ kind: 'message', ts: at(9, 5), from: 'carol', text: 'hi', seq: 4, plaintext: true }, 40);
    expect(rows.map(text)).toEqual(['09:05 [unencrypted] carol: hi']);
    expect(rows[0]![1]).toMatchObject({ text: '[unencrypted] ', color: 'yellow' });
    const alarm = lineRows({ kind: 'error', ts: at(9, 6), text: 'WARNING: changed', alarm: true }, 40);
    expect(alarm[0]!.at(-1)).toMatchObject({ color: 'red', bold: true });
  });

  it('shows line breaks as new rows and control characters as symbols', () => {
    const rows = lineRows({ kind: 'message', ts: at(9, 5), from: 'eve', text: 'a\nb\u001b[2J', seq: 2 }, 40);
    expect(rows.map(text)).toEqual(['09:05 eve: a', '           b␛[2J']);
  });

  it('dims the server of someone of another server, and says what a waiting send waits for', () => {
    const [row] = lineRows({ kind: 'message', ts: at(9, 5), from: 'bob@b.test', text: 'hi', seq: 1 }, 40);
    expect(text(row!)).toBe('09:05 bob@b.test: hi');
    expect(row!.find((s) => s.text === 'bob')).toMatchObject({ bold: true });
    expect(row!.find((s) => s.text === '@b.test')).toEqual({ text: '@b.test', dim: true });
    const rows = lineRows({ kind: 'message', ts: at(9, 6), from: 'me', text: 'later', waiting: 'b.test', cmid: 'c1' }, 40);
    expect(rows.map(text)).toEqual(['09:06 me: later', '          waiting for b.test…']);
    expect(rows[0]!.at(-1)).toMatchObject({ dim: true });
  });

  it('marks events, errors and pending sends', () => {
    expect(text(lineRows({ kind: 'event', ts: at(10, 0), text: '→ bob joined' }, 40)[0]!)).toBe('10:00 * → bob joined');
    expect(lineRows({ kind: 'error', ts: at(10, 0), text: 'oops' }, 40)[0]!.at(-1)).toMatchObject({ color: 'red' });
    expect(lineRows({ kind: 'message', ts: at(10, 0), from: 'me', text: 'x', pending: 1 }, 40)[0]!.at(-1)).toMatchObject({ dim: true });
  });

  it('gives a long name its own row on a narrow pane', () => {
    const rows = lineRows({ kind: 'message', ts: at(9, 5), from: 'averyveryverylongname', text: 'hello there', seq: 3 }, 30);
    expect(rows.map(text)).toEqual(['09:05 averyveryverylongname: ', '      hello there']);
  });

  it('rules off a new day and windows the rows by scroll', () => {
    const lines: Line[] = [
      { kind: 'event', ts: at(23, 59, 29), text: 'late' },
      { kind: 'event', ts: at(0, 1, 30), text: 'early' },
    ];
    const rows = paneRows(lines, 40);
    expect(rows).toHaveLength(3);
    expect(text(rows[1]!)).toMatch(/^─+ .+ ─+$/);
    expect(textWidth(text(rows[1]!))).toBe(40);
    const many = Array.from({ length: 10 }, (_, i): Row => [{ text: String(i) }]);
    expect(visibleRows(many, 4, 0).rows.map(text)).toEqual(['6', '7', '8', '9']);
    expect(visibleRows(many, 4, 3).rows.map(text)).toEqual(['3', '4', '5', '6']);
    expect(visibleRows(many, 4, 99)).toMatchObject({ maxScroll: 6, atTop: true });
  });
});
