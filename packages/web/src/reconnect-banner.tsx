/** @jsxImportSource preact */
import { useEffect, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import { t } from './i18n/index.ts';

/**
 * Shown while the SDK reconnects (its `state` events: `reconnecting` carries the delay before the
 * next attempt), with a countdown and "Retry now", which skips what is left of the delay; then
 * briefly "back", with how many missed messages came in.
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
      <div class="banner warn" data-state="reconnecting">
        <span class="spinner" aria-hidden="true" />
        {/* Only the text is the status: the button beside it must not be read out at every tick. */}
        <span role="status">
          <strong>{t('banner.lost')}</strong> {seconds > 0 ? t('banner.retryIn', { count: seconds }) : t('banner.retrying')} {t('banner.kept')}
        </span>
        {seconds > 0 && (
          <button type="button" class="ghost small banner-action" onClick={() => store.client.retryNow()}>
            {t('banner.retryNow')}
          </button>
        )}
      </div>
    );
  }
  if (resumedMissed !== undefined) {
    return (
      <div class="banner ok" role="status" data-state="reconnected">
        <span>
          <strong>{t('banner.back')}</strong> {resumedMissed > 0 ? t('banner.missed', { count: resumedMissed }) : t('banner.nothingMissed')}
        </span>
      </div>
    );
  }
  return null;
}
