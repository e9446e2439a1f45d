/** @jsxImportSource preact */
import { useEffect, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';

/**
 * Shown while the SDK reconnects (its `state` events: `reconnecting` carries the delay before the
 * next attempt), with a countdown; then briefly "back", with how many missed messages came in.
 */
export function ReconnectBanner({ store }: { store: ChatStore }) {
  const { state, retryAt, resumedMissed } = store.connection;
  const down = state === 'reconnecting' || state === 'connecting';
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    if (!down) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [down]);

  useEffect(() => {
    if (down || resumedMissed === undefined) return;
    const timer = setTimeout(() => {
      store.dismissResumed();
    }, 4000);
    return () => clearTimeout(timer);
  }, [down, resumedMissed]);

  if (down) {
    const seconds = retryAt === undefined ? 0 : Math.ceil((retryAt - now) / 1000);
    return (
      <div class="banner warn" role="status" data-state="reconnecting">
        <span class="spinner" aria-hidden="true" />
        <span>
          <strong>Connection lost.</strong> {seconds > 0 ? `Reconnecting in ${seconds} s…` : 'Reconnecting…'} Messages you send now are kept and sent when it is back.
        </span>
      </div>
    );
  }
  if (resumedMissed !== undefined) {
    return (
      <div class="banner ok" role="status" data-state="reconnected">
        <span>
          <strong>Reconnected.</strong> {resumedMissed > 0 ? `${resumedMissed} missed message${resumedMissed === 1 ? '' : 's'} fetched.` : 'Nothing was missed.'}
        </span>
      </div>
    );
  }
  return null;
}
