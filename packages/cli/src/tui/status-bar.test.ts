import { renderToString } from 'ink';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { StatusBar } from './status-bar.tsx';

describe('StatusBar', () => {
  const props = { server: 'tls://127.0.0.1:12345', scheme: 'tls', trust: { how: 'pinned' as const, fingerprint: 'AA:BB:CC:DD:EE' }, me: 'alice', now: 0 };

  it('shows server, trust, connection and name, cut to the width', () => {
    const wide = renderToString(createElement(StatusBar, { ...props, connection: { state: 'reconnecting', retryAt: 4000 }, width: 80 }), { columns: 80 });
    expect(wide.trimEnd()).toBe(' tls://127.0.0.1:12345 │ TLS pinned AA:BB…DD:EE │ reconnecting in 4 s │ alice');
    const narrow = renderToString(createElement(StatusBar, { ...props, connection: { state: 'connected', resumed: true, missed: 2 }, width: 40 }), { columns: 40 });
    expect(narrow).toBe(' tls://127.0.0.1:12345 │ TLS pinned AA:B');
  });
});
