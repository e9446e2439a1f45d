/** @jsxImportSource preact */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatStore } from './chat-store.ts';
import type { Conversation } from './conversation.ts';
import { SendIcon } from './icons.tsx';

const MAX_ROWS = 8;
/** Unsent text per conversation, kept while switching between them. */
const drafts = new Map<string, string>();

/** Enter sends, Shift+Enter starts a new line; "/" starts a command (see slash-commands.ts). */
export function Composer({ store, conv }: { store: ChatStore; conv: Conversation | undefined }) {
  const key = conv?.key ?? '';
  const [text, setText] = useState(() => drafts.get(key) ?? '');
  const ref = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    setText(drafts.get(key) ?? '');
    if (window.matchMedia('(min-width: 640px)').matches) ref.current?.focus();
  }, [key]);

  const update = (value: string) => {
    setText(value);
    drafts.set(key, value);
  };

  const submit = () => {
    if (text.trim() === '') return;
    const input = text;
    update('');
    void store.submit(input);
  };

  const rows = Math.min(MAX_ROWS, text.split('\n').length);
  // Muted: say so where the person types, instead of letting every send fail.
  const muted = conv?.kind === 'room' && conv.joined ? conv.muted : undefined;
  const mutedText = muted && `You are muted in ${conv?.title}${muted.by ? ` by ${muted.by}` : ''}${muted.reason ? `: ${muted.reason}` : ''}. You can read, but not send, until a moderator unmutes you.`;
  const placeholder = conv ? (conv.kind === 'room' ? `Message ${conv.title}` : conv.kind === 'dm' ? `Message ${conv.title}` : 'Type /help for commands') : 'Type /join #room to start';
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div class="composer-box">
        <textarea
          id="message-input"
          ref={ref}
          aria-label="Message"
          aria-describedby={muted ? 'composer-muted' : 'composer-hint'}
          placeholder={muted ? 'You are muted here' : placeholder}
          disabled={muted !== undefined}
          rows={rows}
          value={text}
          onInput={(event) => update(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              submit();
            }
          }}
        />
        <button type="submit" class="send" aria-label="Send" disabled={text.trim() === '' || muted !== undefined}>
          <SendIcon />
        </button>
      </div>
      {mutedText && (
        <p id="composer-muted" class="composer-muted" role="status">
          {mutedText}
        </p>
      )}
      <p id="composer-hint" class="composer-hint">
        <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line · <kbd>/help</kbd> for commands
      </p>
    </form>
  );
}
