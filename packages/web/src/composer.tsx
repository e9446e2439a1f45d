/** @jsxImportSource preact */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { errorSentence } from './describe-error.ts';
import { withReason } from './describe-notice.ts';
import { HelpPanel } from './help-panel.tsx';
import { ReplyBar } from './message-actions.tsx';
import { t } from './i18n/index.ts';
import { SendIcon } from './icons.tsx';
import { PlaintextChoice } from './plaintext-choice.tsx';
import { parseInput, textBytes, type WebInput } from './slash-commands.ts';

/** What the box holds, read at every keystroke: a grammar bug must not take the page down with it. */
function readInput(text: string, conv: Conversation | undefined): WebInput {
  try {
    return parseInput(text, conv?.kind === 'room' ? conv.target : undefined, conv?.target);
  } catch (error) {
    return { kind: 'invalid', message: String(error) };
  }
}

/** "You are muted in #den by olive: calm down. You can read, but not send, …" */
function mutedSentence(room: string, muted: NonNullable<Conversation['muted']>): string {
  const who = muted.by ? t('composer.mutedInBy', { room, by: muted.by }) : t('composer.mutedIn', { room });
  return t('composer.mutedTail', { text: withReason(who, muted.reason) });
}

/** Unsent text per conversation, kept while switching between them. */
const drafts = new Map<string, string>();

/**
 * Enter sends, Shift+Enter starts a new line; "/" starts a command (see slash-commands.ts),
 * "/help" opens the help panel. The box grows with its text up to 40% of the window (styles.css),
 * then scrolls. A message longer than the server's `maxTextBytes` (the `hello` reply's limits,
 * counted in UTF-8 as the server counts) is neither sent nor cleared: it says by how much.
 */
export function Composer({ store, conv }: { store: ChatStore; conv: Conversation | undefined }) {
  const key = conv?.key ?? '';
  const [text, setText] = useState(() => drafts.get(key) ?? '');
  const [help, setHelp] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    setText(drafts.get(key) ?? '');
    if (window.matchMedia('(min-width: 640px)').matches) ref.current?.focus();
  }, [key]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Through the CSSOM, which the CSP's style-src allows (a style attribute in markup it would not).
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight + el.offsetHeight - el.clientHeight}px`;
  }, [text]);

  const update = (value: string) => {
    setText(value);
    drafts.set(key, value);
    store.messaging.composing(conv, value);
  };

  const input = readInput(text, conv);
  const limit = store.client.limits?.maxTextBytes;
  const sending = input.kind === 'say' ? input.text : input.kind === 'command' && input.line.verb === 'send' && typeof input.line.args.text === 'string' ? input.line.args.text : '';
  const over = limit === undefined ? 0 : textBytes(sending) - limit;

  // A message held for the person's choice is decided first (plaintext-choice.tsx).
  const held = conv?.held !== undefined;
  // An encrypted room in a tab without encryption: the server would refuse the message (E2E_ROOM_ENCRYPTED), so it stays in the box and the line below says why. Commands still go.
  const sealed = conv?.kind === 'room' && conv.joined && store.e2e.shown(conv) === 'sealed';
  const blocked = held || (sealed && input.kind === 'say');
  const submit = () => {
    if (text.trim() === '' || over > 0 || blocked) return;
    update('');
    if (input.kind === 'help') setHelp(true);
    else void store.submit(text);
  };

  // Muted: say so where the person types, instead of letting every send fail.
  const muted = conv?.kind === 'room' && conv.joined ? conv.muted : undefined;
  const mutedText = muted && conv && mutedSentence(conv.title, muted);
  // The other person's identity key changed: nothing goes to them until it is compared and accepted (the banner says so).
  const changed = conv?.kind === 'dm' && conv.e2e.verification === 'changed';
  const placeholder = conv ? (conv.kind === 'all' ? t('composer.placeholderAll') : t('composer.placeholder', { title: conv.title })) : t('composer.placeholderNone');
  const edit = (value: string) => {
    update(value);
    ref.current?.focus();
  };
  return (
    <>
    {conv && <PlaintextChoice store={store} conv={conv} onEdit={edit} />}
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <ReplyBar store={store} conv={conv} />
      <div class={`composer-box${over > 0 ? ' over' : ''}`}>
        <textarea
          id="message-input"
          ref={ref}
          aria-label={t('composer.label')}
          aria-describedby={muted ? 'composer-muted' : sealed ? 'composer-sealed composer-hint' : over > 0 ? 'composer-limit composer-hint' : 'composer-hint'}
          aria-invalid={over > 0}
          placeholder={muted ? t('composer.mutedPlaceholder') : changed ? t('composer.changedPlaceholder', { name: conv.title }) : sealed ? t('composer.sealedPlaceholder') : placeholder}
          disabled={muted !== undefined || changed}
          rows={1}
          value={text}
          onInput={(event) => update(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              submit();
            } else if (event.key === 'ArrowUp' && text === '' && conv) {
              // Up arrow in an empty box edits our last message, as in Slack and Element.
              const last = store.messaging.lastEditable(conv);
              if (last) {
                event.preventDefault();
                store.messaging.startEdit(conv, last.seq);
              }
            } else if (event.key === 'Escape' && store.messaging.replying?.key === conv?.key) {
              store.messaging.reply(conv as Conversation, undefined);
            }
          }}
        />
        <button type="submit" class="send" aria-label={t('composer.send')} disabled={text.trim() === '' || over > 0 || muted !== undefined || changed || blocked}>
          <SendIcon />
        </button>
      </div>
      {mutedText && (
        <p id="composer-muted" class="composer-muted" role="status">
          {mutedText}
        </p>
      )}
      {sealed && !mutedText && (
        <p id="composer-sealed" class="composer-muted composer-sealed" role="status">
          {errorSentence('E2E_ROOM_ENCRYPTED', '')}
        </p>
      )}
      {over > 0 && limit !== undefined && (
        <p id="composer-limit" class="composer-limit">
          {t('composer.overLimit', { count: over, limit })}
        </p>
      )}
      <p id="composer-hint" class="composer-hint">
        <kbd>Enter</kbd> {t('composer.hintSend')} · <kbd>{t('key.shift')}</kbd>+<kbd>Enter</kbd> {t('composer.hintNewLine')} · <kbd>/help</kbd> {t('composer.hintHelp')}
      </p>
    </form>
    {help && <HelpPanel onClose={() => setHelp(false)} />}
    </>
  );
}
