/** @jsxImportSource preact */
// Vite bundles the imported stylesheet into the page's CSS; its types declare such imports.
/// <reference types="vite/client" />
import type { ChatStore } from './chat-store.ts';
import type { Conversation, TimelineMessage } from './conversation.ts';
import type { EncryptionShown } from './e2e-tracker.ts';
import { t, type MessageKey } from './i18n/index.ts';
import { LockIcon, OpenLockIcon } from './icons.tsx';
import './e2e.css';

const WORDS: Record<EncryptionShown, MessageKey> = {
  encrypted: 'e2e.encrypted',
  unencrypted: 'e2e.unencrypted',
  elsewhere: 'e2e.elsewhere',
  unknown: 'e2e.unknown',
  room: 'e2e.room',
  sealed: 'e2e.sealedRoom',
};

export const encryptionWords = (shown: EncryptionShown): string => t(WORDS[shown]);

/** The icon on a sidebar entry (inside its button, decorative); `changed`: the other person's identity key changed. */
export function EncryptionIcon({ shown, changed }: { shown: EncryptionShown; changed: boolean }) {
  if (shown === 'unknown') return null;
  return <span class={`e2e-mark ${shown}${changed ? ' changed' : ''}`}>{shown === 'encrypted' || shown === 'sealed' ? <LockIcon /> : <OpenLockIcon />}</span>;
}

/** What the sidebar entry's icon says, for screen readers: the entry's description (its name stays the conversation's). */
export function EncryptionDescription({ shown, changed, id }: { shown: EncryptionShown; changed: boolean; id: string }) {
  return (
    <span id={id} class="sr-only">
      {changed ? `${encryptionWords(shown)} · ${t('e2e.changed')}` : encryptionWords(shown)}
    </span>
  );
}

function verificationWords(conv: Conversation): string {
  const verification = conv.e2e.verification;
  return t(verification === 'verified' ? 'e2e.verified' : verification === 'changed' ? 'e2e.changed' : 'e2e.unverified');
}

/**
 * The conversation header's indicator. An encrypted DM's is a button with its verification
 * ("End-to-end encrypted · Verified") that opens the safety number panel; the others are text,
 * an encrypted room's too: safety numbers are between two people, not with a room.
 */
export function EncryptionBadge({ store, conv }: { store: ChatStore; conv: Conversation }) {
  const shown = store.e2e.shown(conv);
  if (shown !== 'encrypted' || conv.kind !== 'dm') {
    const locked = shown === 'encrypted' || shown === 'sealed';
    return (
      <span class={`e2e-badge ${shown}`} data-encryption={shown} title={locked ? t(shown === 'sealed' ? 'e2e.sealedRoomTitle' : 'e2e.roomTitle') : undefined}>
        {locked ? <LockIcon /> : shown !== 'unknown' && <OpenLockIcon />}
        <span>{encryptionWords(shown)}</span>
      </span>
    );
  }
  const changed = conv.e2e.verification === 'changed';
  return (
    <button
      type="button"
      class={`e2e-badge encrypted${changed ? ' changed' : ''}${conv.e2e.verification === 'verified' ? ' verified' : ''}`}
      data-encryption={shown}
      aria-haspopup="dialog"
      title={t('e2e.badgeTitle', { name: conv.title })}
      onClick={() => store.openPanel({ kind: 'verify', key: conv.key })}
    >
      <LockIcon />
      <span>
        {encryptionWords(shown)} · {verificationWords(conv)}
      </span>
    </button>
  );
}

/** Under a message of a DM or an encrypted room that was not end-to-end encrypted. */
export function UnencryptedMark() {
  return (
    <span class="e2e-plain-mark" title={t('e2e.msgUnencryptedTitle')}>
      <OpenLockIcon />
      {t('e2e.msgUnencrypted')}
    </span>
  );
}

/** e2e_error codes about a change of the group (a commit), not about a message. */
const GROUP_CODES = new Set(['E2E_BAD_CREDENTIAL', 'E2E_INVALID_COMMIT', 'E2E_UNSUPPORTED']);

/** The words in place of a message that cannot be read here; `room`: it is an encrypted room's (a device reads from when it was added). */
export function sealedText(message: TimelineMessage, room = false): string {
  if (message.sealed === 'elsewhere') return t('e2e.elsewhereMessage');
  if (message.from !== '') return t(room ? 'e2e.undecryptableRoom' : 'e2e.undecryptableFrom');
  return GROUP_CODES.has(message.error ?? '') ? t('e2e.groupRefused') : t('e2e.undecryptable');
}

/** One unobtrusive line for a message this device could not decrypt (an `e2e_error`: the sender is not known). */
export function UndecryptableLine({ message }: { message: TimelineMessage }) {
  return (
    <div class="notice undecryptable" data-seq={message.seq} title={message.error}>
      <LockIcon />
      <span class="notice-text">{sealedText(message)}</span>
    </div>
  );
}
