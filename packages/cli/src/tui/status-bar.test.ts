import { renderToString } from 'ink';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { StatusBar } from './status-bar.tsx';

describe('StatusBar', () => {
  const props = { server: 'tls://127.0.0.1:12345', scheme: 'tls', trust: { how: 'pinned' as const, fingerprint: 'AA:BB:CC:DD:EE' }, me: 'alice', away: undefined, now: 0 };
  const bar = (width: number, extra: Partial<Parameters<typeof StatusBar>[0]> = {}) =>
    renderToString(createElement(StatusBar, { ...props, connection: { state: 'connected', resumed: false, missed: 0 }, ...extra, width }), { columns: width });

  it('shows server, trust, connection and name when they fit', () => {
    expect(bar(80, { connection: { state: 'reconnecting', retryAt: 4000 } }).trimEnd()).toBe(' tls://127.0.0.1:12345 │ TLS pinned AA:BB…DD:EE │ reconnecting in 4 s │ alice');
  });

  it('keeps the connection state and name on a narrow terminal: the fingerprint, then the server give way', () => {
    expect(bar(60).trimEnd()).toBe(' tls://127.0.0.1:12345 │ TLS pinned │ connected │ alice');
    expect(bar(40, { connection: { state: 'connected', resumed: true, missed: 2 } }).trimEnd()).toBe(' TLS │ resumed (2 missed) │ alice');
    expect(bar(40, { connection: { state: 'reconnecting', retryAt: 60_000 } })).toMatch(/│ reconnecting in 60 s │ alice *$/);
    for (const width of [30, 40, 50, 60, 70]) {
      expect([...bar(width)].length).toBeLessThanOrEqual(width);
      expect(bar(width)).toMatch(/│ connected │ alice *$/);
    }
  });

  it('says nothing about end-to-end encryption while it works; a changed identity stays, "e2e off" goes first', () => {
    expect(bar(80, { e2e: { state: 'ready', changed: [] } }).trimEnd()).toBe(' tls://127.0.0.1:12345 │ TLS pinned AA:BB…DD:EE │ connected │ alice');
    expect(bar(100, { e2e: { state: 'ready', changed: ['bob'] } }).trimEnd()).toBe(' tls://127.0.0.1:12345 │ TLS pinned AA:BB…DD:EE │ connected │ alice │ ⚠ identity changed: bob');
    expect(bar(70, { e2e: { state: 'ready', changed: ['bob'] } })).toMatch(/│ connected │ alice │ ⚠ identity changed *$/);
    expect(bar(40, { e2e: { state: 'ready', changed: ['bob'] } })).toMatch(/^ TLS │ connected │ alice │ ⚠ bob *$/);
    expect(bar(100, { e2e: { state: 'failed', changed: [] } }).trimEnd()).toMatch(/│ connected │ alice │ e2e off: DMs refused$/);
    expect(bar(60, { e2e: { state: 'failed', changed: [] } })).toMatch(/│ connected │ alice │ e2e off *$/);
  });

  it('says I am away, with my message while there is room', () => {
    expect(bar(90, { away: { message: 'lunch' } }).trimEnd()).toBe(' tls://127.0.0.1:12345 │ TLS pinned AA:BB…DD:EE │ connected │ alice │ away: lunch');
    expect(bar(40, { away: { message: 'back at three' } })).toMatch(/│ connected │ alice │ away *$/);
  });
});
