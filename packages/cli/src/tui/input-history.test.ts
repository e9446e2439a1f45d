import { describe, expect, it } from 'vitest';
import { emptyHistory, newer, older, remember } from './input-history.ts';

describe('input history', () => {
  it('walks back and forth and restores the draft', () => {
    const h = ['one', 'two', 'two', ' '].reduce(remember, emptyHistory);
    expect(h.entries).toEqual(['one', 'two']);
    const a = older(h, 'draft');
    expect(a.text).toBe('two');
    const b = older(a.history, a.text);
    expect(b.text).toBe('one');
    expect(older(b.history, b.text).text).toBe('one');
    const c = newer(b.history, b.text);
    expect(c.text).toBe('two');
    const d = newer(c.history, c.text);
    expect(d.text).toBe('draft');
    expect(newer(d.history, 'draft').text).toBe('draft');
  });

  it('starts again from the newest after a line is sent', () => {
    let h = remember(emptyHistory, 'one');
    h = older(h, '').history;
    h = remember(h, 'again');
    expect(older(h, '').text).toBe('again');
  });
});
