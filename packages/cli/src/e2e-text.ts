import { isRoomTarget } from '@parley/protocol';

/**
 * What both terminal clients (the full-screen UI and `--plain`) say about end-to-end
 * encryption, worded once: refusals, warnings, safety numbers and setup failures.
 */
interface ErrorLike {
  errorName?: string;
  message: string;
}

/** "12345 67890 …" (12 groups) as two rows of six groups, easier to read aloud and compare. */
export function safetyNumberRows(number: string): string[] {
  const groups = number.trim().split(/\s+/);
  return [groups.slice(0, 6).join(' '), groups.slice(6).join(' ')].filter((row) => row !== '');
}

/** What /verify shows: the number and how to compare it. */
export function verifyLines(input: { me: string; peer: string; number: string; verification: string }): string[] {
  const { me, peer, number, verification } = input;
  const state =
    verification === 'verified'
      ? `${peer} is verified (you compared this number before).`
      : verification === 'changed'
        ? `${peer}'s identity key CHANGED since you last talked: this is the new key's number.`
        : `${peer} is not verified yet.`;
  const next = verification === 'changed' ? `if every digit matches: /trust ${peer}` : `if every digit matches: /verify ${peer} yes`;
  return [
    `safety number with ${peer} (the same on both sides):`,
    ...safetyNumberRows(number).map((row) => `  ${row}`),
    state,
    `Compare it with ${peer} in person or on a call (${peer} types /verify ${me}); ${next}`,
  ];
}

/** The loud line when someone's identity key is not the one pinned for them. */
export function identityChangedWarning(peer: string): string {
  return `WARNING: ${peer}'s identity key has CHANGED. It may be a new install of ${peer}'s, or someone else. Messages to ${peer} are refused until you compare safety numbers (/verify ${peer}) and accept the new key (/trust ${peer}).`;
}

/** How a DM can be sent anyway, for the client at hand: `/plain <message>` in a DM window, `/plain name <message>` elsewhere. */
export type PlainHint = (peer: string) => string;
export const plainHintFor = (inDmWindow: boolean): PlainHint => (peer) => (inDmWindow ? '/plain <message>' : `/plain ${peer} <message>`);

/**
 * Why a send to an encrypted room was refused. No `/plain` hint: the server takes no plaintext
 * there from anyone (E2E_ROOM_ENCRYPTED), so the only way is a session with encryption.
 */
function roomFailureReason(error: ErrorLike, room: string): string | undefined {
  switch (error.errorName) {
    case 'E2E_ROOM_ENCRYPTED':
      return `${room} is end-to-end encrypted and this session has no end-to-end encryption (--no-e2e, or it could not be set up here), so the server takes nothing from it there. To write in ${room}, start parley chat without --no-e2e.`;
    case 'E2E_MEMBERS_CHANGED':
      return `someone who left ${room} still has devices in its encrypted group; the server takes no message there until the members' clients take them out, which they do by themselves. Send it again in a moment.`;
    case 'E2E_DEVICE_REMOVED':
      return `this device was removed from your account, so it cannot encrypt any more, and ${room} takes only end-to-end encrypted messages.`;
    case 'E2E_FAILED':
    case 'E2E_IDENTITY_CHANGED':
      return `end-to-end encryption is not working in this session (${error.message}), and ${room} takes only end-to-end encrypted messages.`;
    default:
      return undefined;
  }
}

/** Why a send was refused, with what to do about it (the clients put "not sent" before it). */
export function sendFailureReason(error: ErrorLike, input: { to: string; plainHint: PlainHint }): string {
  const { to, plainHint } = input;
  const room = isRoomTarget(to) ? roomFailureReason(error, to) : undefined;
  if (room !== undefined) return room;
  switch (error.errorName) {
    case 'E2E_PEER_UNENCRYPTED':
      return `${to} has no end-to-end encryption keys (an older client, or a text-mode connection), so the server could read it. To send it unencrypted anyway: ${plainHint(to)}`;
    case 'E2E_PEER_IDENTITY_CHANGED':
      return `${to}'s identity key changed. Compare safety numbers (/verify ${to}), then accept the new key (/trust ${to}) to write to ${to} again.`;
    case 'E2E_DEVICE_REMOVED':
      return `this device was removed from your account, so it cannot encrypt any more. To send it unencrypted anyway: ${plainHint(to)}`;
    case 'E2E_FAILED':
    case 'E2E_IDENTITY_CHANGED':
      return `end-to-end encryption is not working in this session (${error.message}). To send it unencrypted anyway: ${plainHint(to)}`;
    default:
      return `${error.errorName ?? 'error'}: ${error.message}`;
  }
}

/** "from bob", or "in #dev" for a room (whose sender the undecryptable message does not name). */
const source = (peer: string) => (isRoomTarget(peer) ? `in ${peer}` : `from ${peer}`);

/** One line for a message that could not be decrypted (an `e2e_error` with a seq); `peer` is the DM's person or the room. */
export function undecryptableText(peer: string, code: string): string {
  if (code === 'E2E_BAD_CREDENTIAL') {
    if (isRoomTarget(peer)) return `a message or device change in ${peer} was refused: ${code} (a device not certified by the identity key you trust for its sender)`;
    return `a message or device change from ${peer} was refused: ${code} (a device not certified by the identity key you trust for ${peer})`;
  }
  return `a message ${source(peer)} could not be decrypted: ${code}`;
}

/** The summary that replaces further lines of the same kind in a burst (see E2eErrorLog). */
export function undecryptableSummary(peer: string, input: { count: number; code: string }): string {
  return `${input.count} more messages ${source(peer)} could not be decrypted (${input.code})`;
}

/** An end-to-end failure that is not one message's: a group change that failed. */
export function groupFailureText(peer: string | undefined, error: { code: string; message: string }): string {
  const where = peer === undefined ? '' : isRoomTarget(peer) ? `${peer}: ` : `the conversation with ${peer}: `;
  return `end-to-end: ${where}${error.code}: ${error.message}`;
}

/** Why this login has no end-to-end device, and what to do; said once. */
export function setupFailureText(error: ErrorLike, input: { account?: string; server: string }): string {
  const head = 'End-to-end encryption is off in this session: rooms work, direct messages are refused (or sent with /plain).';
  if (error.errorName === 'E2E_IDENTITY_CHANGED' && input.account !== undefined) {
    const who = `${input.server} ${input.account}`;
    return (
      `${head} The server has another identity key for ${input.account}: the one of your other install. Copy it here: ` +
      `there, run "parley keys export-identity ${who} > identity.pem"; here, "parley keys import-identity ${who} identity.pem", then start parley chat again. ` +
      `Or, if that install is lost, start with --reset-identity: this install's key replaces it, your other devices are removed, and everyone you talk with sees a warning.`
    );
  }
  if (error.errorName === 'E2E_DEVICE_REMOVED') return `${head} This device was removed from your account.`;
  return `${head} ${error.errorName ? `${error.errorName}: ` : ''}${error.message}`;
}

/** The line said at the first login of an account on this install. */
export function identityCreatedText(file: string): string {
  return `A new end-to-end identity key for this account is in ${file}. Your other installs of this account need the same key: parley keys export-identity / import-identity (docs/tui.md).`;
}
