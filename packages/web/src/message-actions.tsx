/** @jsxImportSource preact */
import { useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import type { Conversation, TimelineMessage } from './conversation.ts';
import { formatStamp } from './format.ts';
import './messaging.css';
import { t } from './i18n/index.ts';
import { ActionForm } from './modal.tsx';
import { snippet } from './messaging.ts';
import { NOTIFY_LEVELS, type NotifyLevel } from './notifications.ts';
import { permissionsOf } from './permissions.ts';

/** A few common emoji; any other goes in the text field. */
const COMMON_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '👀'];

interface Props {
  store: ChatStore;
  conv: Conversation;
  message: TimelineMessage;
}

/** Whether `message` takes actions at all: stored, readable, not deleted. */
export function actionable(message: TimelineMessage): boolean {
  return message.seq !== undefined && message.status === 'sent' && !message.redacted && !message.sealed;
}

/**
 * Reply, react, edit and delete for one message: buttons in the message (shown on hover and
 * keyboard focus, always in the tab order). Edit only on our own; Delete on our own, and on
 * anyone's in a room we moderate (the server checks again; its refusal shows in the dialog).
 */
export function MessageActions({ store, conv, message }: Props) {
  const [picker, setPicker] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const canDelete = message.mine || (conv.kind === 'room' && permissionsOf(store).canModerate(conv.target));
  const canReact = conv.kind !== 'all';
  return (
    <>
    <div class="msg-actions" role="group" aria-label={t('msg.actions', { name: message.from })}>
      {conv.kind !== 'all' && (
        <button type="button" class="ghost small" onClick={() => store.messaging.reply(conv, message)}>
          {t('msg.reply')}
        </button>
      )}
      {canReact && (
        <button type="button" class="ghost small" aria-expanded={picker} onClick={() => setPicker(!picker)}>
          {t('msg.react')}
        </button>
      )}
      {message.mine && (
        <button type="button" class="ghost small" onClick={() => store.messaging.startEdit(conv, message.seq)}>
          {t('msg.edit')}
        </button>
      )}
      {canDelete && (
        <button type="button" class="ghost small danger" onClick={() => setConfirm(true)}>
          {t('msg.delete')}
        </button>
      )}
      {picker && <ReactionPicker onPick={(emoji) => (setPicker(false), void store.messaging.toggleReaction(conv, message, emoji))} onClose={() => setPicker(false)} />}
    </div>
      {/* Outside the hover-shown group: the dialog stays usable wherever the pointer goes. */}
      {confirm && (
        <ActionForm title={t('msg.deleteTitle')} submitLabel={t('msg.deleteConfirm')} danger run={() => store.messaging.redact(conv, message)} onClose={() => setConfirm(false)}>
          <p>{t('msg.deleteText', { name: message.from, snippet: snippet(message.text) })}</p>
        </ActionForm>
      )}
    </>
  );
}

function ReactionPicker({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  const [other, setOther] = useState('');
  return (
    <div
      class="reaction-picker"
      role="group"
      aria-label={t('msg.reactionPicker')}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      {COMMON_EMOJI.map((emoji) => (
        <button type="button" class="ghost small emoji" key={emoji} onClick={() => onPick(emoji)}>
          {emoji}
        </button>
      ))}
      <form
        class="reaction-other"
        onSubmit={(event) => {
          event.preventDefault();
          if (other.trim() !== '') onPick(other.trim());
        }}
      >
        <input type="text" size={4} aria-label={t('msg.reactionOther')} value={other} onInput={(event) => setOther(event.currentTarget.value)} />
        <button type="submit" class="ghost small">
          {t('msg.reactionAdd')}
        </button>
      </form>
    </div>
  );
}

/** Emoji and counts under a message; ours pressed; a click toggles ours; who reacted in the title. */
export function ReactionBar({ store, conv, message }: Props) {
  const reactions = message.reactions ?? [];
  if (reactions.length === 0) return null;
  return (
    <div class="reactions">
      {reactions.map((r) => {
        const mine = r.users.some((user) => store.isMe(user));
        const names = r.users.join(', ') + (r.count > r.users.length ? ` +${r.count - r.users.length}` : '');
        return (
          <button type="button" key={r.emoji} class={`reaction${mine ? ' mine' : ''}`} aria-pressed={mine} title={names} aria-label={t('msg.reaction', { emoji: r.emoji, count: r.count, names })} onClick={() => void store.messaging.toggleReaction(conv, message, r.emoji)}>
            {r.emoji} <span class="count">{r.count}</span>
          </button>
        );
      })}
    </div>
  );
}

/** The quoted original above a reply; a click scrolls to it (reading older pages for it). */
export function Quote({ store, conv, message }: Props) {
  const seq = message.reply;
  if (seq === undefined) return null;
  const original = conv.message(seq);
  const name = original?.from ?? '…';
  const text = original ? (original.redacted ? t('msg.deleted') : snippet(original.text)) : '';
  return (
    <button type="button" class="quote" aria-label={t('msg.quote', { name, snippet: text })} onClick={() => void store.messaging.jumpTo(conv, seq)}>
      <span class="quote-from">{name}</span> <span class="quote-text">{text}</span>
    </button>
  );
}

/** "(edited)", with when in its title. */
export function EditedMark({ edited }: { edited: number | undefined }) {
  if (edited === undefined) return null;
  return (
    <>
    {' '}
    <span class="edited" title={t('msg.editedAt', { when: formatStamp(edited) })}>
      {t('msg.edited')}
    </span>
    </>
  );
}

/** The inline editor: Enter saves, Shift+Enter a new line, Esc cancels. */
export function InlineEditor({ store, conv, message }: Props) {
  const [text, setText] = useState(message.text);
  return (
    <textarea
      class="msg-editor"
      aria-label={t('msg.editLabel')}
      title={t('msg.editHint')}
      value={text}
      rows={Math.min(6, text.split('\n').length)}
      ref={(el) => el?.focus()}
      onInput={(event) => setText(event.currentTarget.value)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          void store.messaging.edit(conv, message, text);
          document.getElementById('message-input')?.focus();
        } else if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          store.messaging.startEdit(conv, undefined);
          document.getElementById('message-input')?.focus();
        }
      }}
    />
  );
}

/** "alice is typing…" under the messages of the open conversation. */
export function TypingLine({ store, conv }: { store: ChatStore; conv: Conversation | undefined }) {
  const names = conv ? store.messaging.typists(conv) : [];
  const [a = '', b = ''] = names;
  const text = names.length === 0 ? '' : names.length === 1 ? t('typing.one', { a }) : names.length === 2 ? t('typing.two', { a, b }) : t('typing.many', { a, b });
  return (
    <div class="typing-line" aria-live="polite">
      {text}
    </div>
  );
}

/** The open conversation's notification level (shown once notifications are allowed). */
export function NotifyLevelSelect({ store, conv }: { store: ChatStore; conv: Conversation }) {
  const notifier = store.notifier;
  if (!notifier) return null;
  return (
    <label class="notify-level">
      <span class="sr-only">{t('notify.level')}</span>
      <select
        value={notifier.level(conv)}
        onChange={(event) => {
          notifier.setLevel(conv, event.currentTarget.value as NotifyLevel);
          store.changed();
        }}
      >
        {NOTIFY_LEVELS.map((level) => (
          <option key={level} value={level}>
            {t(`notify.${level}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** "Replying to alice: …" above the message box, with its cancel ×. */
export function ReplyBar({ store, conv }: { store: ChatStore; conv: Conversation | undefined }) {
  const replying = store.messaging.replying;
  if (!conv || replying?.key !== conv.key) return null;
  return (
    <div class="reply-bar">
      <span>{t('composer.replying', { name: replying.from, snippet: snippet(replying.text) })}</span>
      <button type="button" class="icon-button small" aria-label={t('composer.replyCancel')} onClick={() => store.messaging.reply(conv, undefined)}>
        ×
      </button>
    </div>
  );
}
