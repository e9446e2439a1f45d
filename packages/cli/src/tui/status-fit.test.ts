import { describe, expect, it } from 'vitest';
import { fitStatus } from './status-fit.ts';

describe('fitStatus', () => {
  const parts = [
    { text: 'tls://chat.example.org:6697', keep: 0 },
    { text: 'TLS pinned AB:CD…EF:01', shorter: ['TLS pinned', 'TLS'], keep: 1 },
    { text: 'reconnecting in 12 s', keep: 3 },
    { text: 'alice', keep: 2 },
  ];
  const line = (width: number) => fitStatus(parts, width).join('');

  it('shows every part as it is when it fits', () => {
    expect(line(100)).toBe(' tls://chat.example.org:6697 │ TLS pinned AB:CD…EF:01 │ reconnecting in 12 s │ alice ');
  });

  it('takes shorter forms, then cuts, then leaves parts out, lowest `keep` first', () => {
    expect(line(73)).toBe(' tls://chat.example.org:6697 │ TLS pinned │ reconnecting in 12 s │ alice ');
    expect(line(66)).toBe(' tls://chat.example.org:6697 │ TLS │ reconnecting in 12 s │ alice ');
    expect(line(50)).toBe(' tls://chat… │ TLS │ reconnecting in 12 s │ alice ');
    expect(line(36)).toBe(' TLS │ reconnecting in 12 s │ alice ');
    expect(line(30)).toBe(' reconnecting in 12 s │ alice ');
    expect(line(20)).toBe(' reconnecting in 1… ');
  });

  it('never goes past the width', () => {
    for (let width = 0; width <= 100; width++) expect([...line(width)].length).toBeLessThanOrEqual(width);
  });
});
