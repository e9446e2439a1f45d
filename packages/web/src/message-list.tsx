/** @jsxImportSource preact */
import { foldName } from '@parley/protocol';
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import type { Conversation, TimelineItem, TimelineMessage } from './conversation.ts';
import { sealedText, UnencryptedMark, UndecryptableLine } from './e2e-indicator.tsx';
import { dayKey, dayLabel, formatStamp, formatWhen, nameColor } from './format.ts';
import { FederatedName, serverOf } from './federated-name.tsx';
import { t } from './i18n/index.ts';
import { actionable, EditedMark, InlineEditor, MessageActions, Quote, ReactionBar } from './message-actions.tsx';
import { MessageText } from './message-text.tsx';
import { mentions } from './notifications.ts';

/** Messages from one sender within this span (and the same day) share one header. */
const GROUP_MS = 5 * 60_000;
const NEAR_TOP_PX = 120;
const NEAR_BOTTOM_PX = 80;

/**
 * The conversation as a `log`: day separators, grouped senders, our sends shown at once and
 * marked until stored. Scrolling near the top (or the button there) loads the page before.
 * It sticks to the bottom while the reader is at the bottom, and keeps the reader's place when
 * older messages are put above.
 */
export function MessageList({ store, conv }: { store: ChatStore; conv: Conversation }) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const anchor = useRef<{ key: string; height: number; top: number } | undefined>(undefined);
  const shownKey = useRef<string | undefined>(undefined);
  const firstId = conv.items[0]?.id;

  const loadOlder = () => {
    const el = ref.current;
    if (!el || conv.history !== 'idle') return;
    anchor.current = { key: conv.key, height: el.scrollHeight, top: el.scrollTop };
    void store.loadOlder(conv);
  };

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (shownKey.current !== conv.key) {
      shownKey.current = conv.key;
      anchor.current = undefined;
      atBottom.current = true;
    }
    const kept = anchor.current;
    if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
      anchor.current = undefined;
    } else if (kept && kept.key === conv.key && el.scrollHeight !== kept.height) {
      // Older messages went in above: keep the same message under the reader's eyes.
      el.scrollTop = el.scrollHeight - kept.height + kept.top;
      anchor.current = undefined;
    }
    // A first page too short to scroll cannot be scrolled up: fetch the one before now.
    if (el.scrollHeight <= el.clientHeight + NEAR_TOP_PX && conv.history === 'idle' && conv.items.length > 0) loadOlder();
    seenIfAtBottom();
  });

  // The newest message is in view in a visible tab: read (messaging.ts tells the server and our other devices).
  const seenIfAtBottom = () => {
    if (atBottom.current && document.visibilityState === 'visible' && store.activeKey === conv.key) store.messaging.seen(conv);
  };

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (el.scrollTop < NEAR_TOP_PX) loadOlder();
    seenIfAtBottom();
  };

  // In a DM and an encrypted room, what came in the clear says so (an encrypted room's messages from before the switch).
  const marksPlain = store.e2e.marksUnencrypted(conv);
  const rows: ComponentChildren[] = [];
  let previous: TimelineItem | undefined;
  let dividerShown = false;
  for (const item of conv.items) {
    if (!previous || dayKey(previous.ts) !== dayKey(item.ts)) {
      rows.push(
        <div class="day" role="separator" key={`day-${dayKey(item.ts)}-${item.id}`}>
          <span>{dayLabel(item.ts)}</span>
        </div>,
      );
      previous = undefined;
    }
    if (conv.divider !== undefined && item.type === 'message' && !item.mine && item.seq !== undefined && item.seq > conv.divider && !dividerShown) {
      dividerShown = true;
      rows.push(
        <div class="new-divider" role="separator" key="new-divider">
          <span>{t('log.newMessages')}</span>
        </div>,
      );
    }
    if (item.type === 'notice') {
      rows.push(
        <div class={`notice ${item.tone}`} key={item.id}>
          <span class="notice-text">{item.text}</span>
          {item.join !== undefined && <JoinButton store={store} room={item.join} />}
          <time dateTime={new Date(item.ts).toISOString()} title={formatStamp(item.ts)}>
            {formatWhen(item.ts)}
          </time>
        </div>,
      );
    } else if (item.sealed === 'undecryptable' && item.from === '') {
      rows.push(<UndecryptableLine key={item.id} message={item} />);
    } else {
      const grouped = previous?.type === 'message' && previous.from === item.from && item.ts - previous.ts < GROUP_MS;
      rows.push(<Message key={item.id} store={store} conv={conv} message={item} grouped={grouped} marksPlain={marksPlain} />);
    }
    previous = item;
  }

  return (
    <div class="log" role="log" aria-live="off" aria-label={t('log.label', { title: conv.title })} ref={ref} onScroll={onScroll} tabIndex={0} data-first={firstId}>
      <div class="log-start">
        {conv.history === 'done' ? (
          <p class="beginning">
            <Beginning conv={conv} />
          </p>
        ) : (
          <button type="button" class="ghost small" onClick={loadOlder} disabled={conv.history === 'loading'}>
            {conv.history === 'loading' ? t('common.loading') : t('log.loadEarlier')}
          </button>
        )}
      </div>
      {rows}
    </div>
  );
}

function Message({ store, conv, message, grouped, marksPlain }: { store: ChatStore; conv: Conversation; message: TimelineMessage; grouped: boolean; marksPlain: boolean }) {
  const room = conv.kind === 'room';
  const editing = store.messaging.editing?.key === conv.key && store.messaging.editing.seq === message.seq;
  const highlighted = store.messaging.highlight === message.id;
  const mentioned = !message.mine && mentions(message.text, store.me);
  const color = `nc-${nameColor(message.from)}`;
  const time = (
    <time dateTime={new Date(message.ts).toISOString()} title={formatStamp(message.ts)}>
      {formatWhen(message.ts)}
    </time>
  );
  return (
    <div class={`msg${grouped ? ' grouped' : ''}${message.mine ? ' mine' : ''}${highlighted ? ' highlight' : ''}${mentioned ? ' mention' : ''} ${message.status}`} tabIndex={-1} data-seq={message.seq} data-from={message.from} data-encrypted={message.encrypted ? 'true' : undefined}>
      <div class="msg-gutter">
        {grouped ? (
          <span class="msg-hover-time">{time}</span>
        ) : (
          <span class={`avatar ${color}`} aria-hidden="true">
            {message.from.slice(0, 1).toUpperCase()}
          </span>
        )}
      </div>
      <div class="msg-body">
        {grouped ? (
          <span class="sr-only">{message.from}: </span>
        ) : (
          <div class="msg-head">
            <span class={`msg-from ${color}`}>
              <FederatedName name={message.from} />
            </span>
            {time}
          </div>
        )}
        <Quote store={store} conv={conv} message={message} />
        {message.redacted ? (
          <div class="msg-text redacted">{t('msg.deleted')}</div>
        ) : editing ? (
          <InlineEditor store={store} conv={conv} message={message} />
        ) : message.sealed ? (
          <div class="msg-text sealed">{sealedText(message, room)}</div>
        ) : message.kind === 'action' ? (
          <div class="msg-text action">
            * <FederatedName name={message.from} /> <MessageText text={message.text} />
          </div>
        ) : (
          <div class="msg-text">
            <MessageText text={message.text} />
            <EditedMark edited={message.edited} />
          </div>
        )}
        {!message.redacted && <ReactionBar store={store} conv={conv} message={message} />}
        {actionable(message) && !editing && <MessageActions store={store} conv={conv} message={message} />}
        {marksPlain && !message.encrypted && !message.sealed && <UnencryptedMark />}
        {message.status === 'pending' && <div class="msg-status">{t('msg.sending')}</div>}
        {message.status === 'waiting' && <div class="msg-status">{t('msg.waiting', { server: message.waitingFor ?? '' })}</div>}
        {message.status === 'failed' && <div class="msg-status error">{t('msg.failed', { reason: message.error ?? '' })}</div>}
      </div>
    </div>
  );
}

/**
 * The top of a conversation read to its start. A room homed on another server has its messages
 * here only from when this server joined it (docs/federation.md, "Not built yet"): older ones are on its home.
 */
function Beginning({ conv }: { conv: Conversation }) {
  const home = conv.kind === 'room' ? serverOf(conv.target) : undefined;
  if (home !== undefined && conv.oldestSeq !== 1) return <>{t('log.beginningMirror', { title: conv.title, server: home })}</>;
  return <>{conv.kind === 'room' ? t('log.beginningRoom', { title: conv.title }) : conv.kind === 'dm' ? t('log.beginningDm', { title: conv.title }) : t('log.beginningAll')}</>;
}

/** The Join button of an invitation ("alice invited you to #dev"): runs /join like typing it would, so a refusal lands in the conversation. */
function JoinButton({ store, room }: { store: ChatStore; room: string }) {
  const joined = [...store.conversations.values()].some((c) => c.kind === 'room' && c.joined && foldName(c.target) === foldName(room));
  return (
    <button type="button" class="ghost small notice-action" disabled={joined} onClick={() => void store.submit(`/join ${room}`)}>
      {joined ? t('invite.joined', { room }) : t('invite.join', { room })}
    </button>
  );
}
