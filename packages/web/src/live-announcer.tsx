/** @jsxImportSource preact */
import { useRef } from 'preact/hooks';
import type { Conversation, TimelineItem } from './conversation.ts';
import { t } from './i18n/index.ts';

/** Screen readers get the last few; older lines leave the region so it never grows. */
const KEPT = 4;

const newestSeq = (items: readonly TimelineItem[]): number | undefined =>
  items.reduce<number | undefined>((max, item) => (item.type === 'message' && item.seq !== undefined && (max === undefined || item.seq > max) ? item.seq : max), undefined);

/**
 * A polite live region that reads out messages arriving in the open conversation, one line
 * each ("alice: hello"). The log itself is `aria-live="off"`: a `log` is polite by default, and
 * then every page of history loaded above, each day separator and our own sends would be read
 * out too. What is new is a stored message from someone else with a seq above the newest one
 * shown at the last render (history pages are older; our own messages are not news to us).
 * The first history page of an empty conversation and switching conversations announce nothing.
 */
export function LiveAnnouncer({ conv }: { conv: Conversation | undefined }) {
  const seen = useRef<{ key: string | undefined; newest: number | undefined; loading: boolean }>({ key: undefined, newest: undefined, loading: false });
  const lines = useRef<{ id: string; text: string }[]>([]);
  const items = conv?.items ?? [];
  const newest = newestSeq(items);
  const before = seen.current;
  if (before.key !== conv?.key) {
    lines.current = [];
  } else if (newest !== before.newest && !(before.newest === undefined && before.loading)) {
    for (const item of items) {
      if (item.type !== 'message' || item.mine || item.seq === undefined || item.sealed) continue;
      if (before.newest !== undefined && item.seq <= before.newest) continue;
      lines.current.push({ id: item.id, text: t('live.message', { from: item.from, text: item.text }) });
    }
    lines.current = lines.current.slice(-KEPT);
  }
  seen.current = { key: conv?.key, newest, loading: conv?.history === 'loading' };
  return (
    <div class="sr-only" aria-live="polite" aria-relevant="additions" data-testid="live-messages">
      {lines.current.map((line) => (
        <p key={line.id}>{line.text}</p>
      ))}
    </div>
  );
}
