import type { ClientMessage } from '@parley/client';
import { splitServer } from '@parley/protocol';

/** One line per event for `parley chat --plain`; line breaks inside a message become "\n". */
export function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n]/g, '\\n');
}

/**
 * What a message says when its text is not for showing: ciphertext this session cannot read (it
 * runs with --no-e2e), or an archived message this device never could. Undefined for the rest.
 */
export function unreadableText(message: ClientMessage): string | undefined {
  if (message.kind === 'mls') return '(an end-to-end encrypted message: this session runs with --no-e2e and cannot read it)';
  if (message.undecryptable) return '(end-to-end encrypted before this device joined the conversation: it cannot be read here)';
  return undefined;
}

/** A direct message that was not end-to-end encrypted: clients mark it. */
export const isPlaintextDm = (message: ClientMessage) => !message.to.startsWith('#') && message.to !== 'ALL' && !message.encrypted && message.kind !== 'mls';

/**
 * "[#dev] alice: hi", or for an action (`/me waves`) "[#dev] * alice waves", as IRC clients show
 * one; a DM that was not end-to-end encrypted is marked "[dm] [unencrypted] bob: hi".
 */
export function formatMessage(message: ClientMessage, me: string | undefined): string {
  const text = oneLine(unreadableText(message) ?? message.text);
  const body = message.kind === 'action' ? `* ${message.from} ${text}` : `${message.from}: ${text}`;
  if (message.to.startsWith('#')) return `[${message.to}] ${body}`;
  if (message.to === 'ALL') return `[all] ${body}`;
  const marker = isPlaintextDm(message) ? ' [unencrypted]' : '';
  // A DM I sent from another connection of mine.
  if (me !== undefined && message.from === me && message.to !== me) return `[dm → ${message.to}]${marker} ${body}`;
  return `[dm]${marker} ${body}`;
}

/**
 * A send to a room homed on another server that has not taken it yet (the receipt said
 * `pending`): "[#dev@b.example] waiting for b.example: hi". The server keeps it and sends it on.
 */
export function waitingText(to: string, text: string): string {
  return `[${to}] waiting for ${splitServer(to).server ?? 'the room'}: ${oneLine(text)}`;
}

/** That send is stored now, in the room's order: "[#dev@b.example] delivered to b.example: hi". */
export function committedText(to: string, text: string): string {
  return `[${to}] delivered to ${splitServer(to).server ?? 'the room'}: ${oneLine(text)}`;
}

/** What the terminal clients need of an SDK error to word it. */
interface ErrorLike {
  errorName: string;
  message: string;
}

const sentence = (text: string) => text.replace(/[.\s]+$/, '');

/** Why a room refused the rejoin after a reconnect, in words (the server's text speaks to text mode: "ask for an INVITE"). */
const ROOM_REFUSALS: Record<string, (room: string) => string> = {
  INVITE_ONLY: (room) => `${room} is invite-only now; a moderator can /invite you`,
  ROOM_PASSWORD: (room) => `${room} needs a password now: /join ${room} <password>`,
};

/** A room the client could not rejoin after a reconnect (`room_lost`): it is gone from my rooms, and why. */
export function roomLostText(room: string, error: ErrorLike): string {
  const why = ROOM_REFUSALS[error.errorName]?.(room) ?? sentence(error.message);
  return `You are no longer in ${room}: it did not let you back in after the reconnect. ${why}.`;
}

/** An operator's kick or ban ends the connection for good: the SDK does not come back after one. */
export const isOperatorStop = (error: ErrorLike) => error.errorName === 'KICKED' || error.errorName === 'BANNED';

/** The client stopped for good (state `closed` with an error): said plainly, with no promise of a reconnect. */
export function stoppedText(error: ErrorLike): string {
  return `${isOperatorStop(error) ? 'You were disconnected by an operator' : 'Disconnected'}: ${sentence(error.message)}. Parley will not reconnect.`;
}
