import type { ChatMessage, PresenceStatus, ReplyData, ServerEvent } from '@parley/protocol';
import type { ParleyClientError } from './errors.ts';
import type { LoginKey } from './key-login.ts';
import type { Committed } from './pending-sends.ts';

export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface StateChange {
  state: ClientState;
  /** For `reconnecting`: how long until the next attempt. */
  delayMs?: number;
  /** For `connected` after a reconnect: messages fetched that arrived while away. */
  missed?: number;
  resumed?: boolean;
  error?: ParleyClientError;
  /** The address connected to, or being tried (ClientOptions.url may list several). */
  server?: string;
}

type EventData<TName extends ServerEvent['ev']> = Omit<Extract<ServerEvent, { ev: TName }>, 'ev'>;

/**
 * A message as the SDK hands it on. With end-to-end encryption configured, a decrypted message has
 * its plaintext in `text` and `encrypted: true`; a DM without the flag was sent in plaintext
 * (clients mark it). In `history`, an encrypted message this device cannot read (sent before it
 * joined, or its keys are gone) has `text: ''` and `undecryptable: true`.
 */
export type ClientMessage = ChatMessage & { encrypted?: true; undecryptable?: true };

/** A device of a conversation's encrypted group. */
export interface E2eDeviceRef {
  userId: string;
  deviceId: string;
}

/**
 * An end-to-end failure outside a request: a message that could not be decrypted (`conv`, `seq`),
 * a group change that failed, or this device's setup. `code` is an E2eError code
 * (E2E_DECRYPT_FAILED, E2E_REPLAY, …), a server error name, or a local kind.
 */
export interface E2eErrorEvent {
  conv?: string;
  seq?: number;
  /** Who sent the message that could not be read, as the server names them. */
  from?: string;
  code: string;
  message: string;
}

// A type alias (not an interface) so it is assignable to Emitter's Record constraint.
export type ClientEvents = {
  message: ChatMessage & { encrypted?: true };
  join: { room: string; user: string };
  /** `kind` and `by` when a moderator removed the user (kick, room ban). */
  part: EventData<'part'>;
  topic: { room: string; topic: string; by: string };
  room_deleted: { room: string; by: string };
  /** A room this client was in that it could not rejoin after a reconnect (and no longer tries). */
  room_lost: { room: string; error: ParleyClientError };
  room_role: { room: string; user: string; role: 'owner' | 'moderator' | 'member'; by: string };
  presence: { user: string; status: PresenceStatus };
  nick: { old: string; new: string };
  /** `room`, `kind`, `by` and `reason` when it is about a moderator's action in a room (mute, invite). */
  notice: EventData<'notice'>;
  /** The server issued this client a device credential (ClientOptions.remember): store it to sign in later. */
  device: DeviceCredential;
  /** For this connection's end-to-end device: a Welcome into a conversation's group. */
  welcome: EventData<'welcome'>;
  /** Someone you talk with changed their end-to-end devices (`identity_changed`: their identity key). */
  e2e_devices: EventData<'e2e_devices'>;
  /** Someone is typing in a conversation (`on`), or stopped; forget it after TYPING_EXPIRES_MS without another. */
  typing: EventData<'typing'>;
  /** This user read a conversation up to `seq` (here or on another device). */
  read: EventData<'read'>;
  /** Someone who shares read receipts read a conversation up to `seq`. */
  receipt: EventData<'receipt'>;
  /** This login's end-to-end device is registered and has KeyPackages on the server. */
  e2e_ready: { userId: string; deviceId: string };
  /** The client learned whether a room is end-to-end encrypted (its login or join said so, a mode change, a refused plaintext send): its indicator changes. */
  e2e_room: { room: string; encrypted: boolean };
  /** A conversation's encrypted group changed (a commit, or this device joined it: `joined`). */
  e2e_group: { conv: string; epoch: number; added: E2eDeviceRef[]; removed: E2eDeviceRef[]; joined?: true };
  e2e_error: E2eErrorEvent;
  /**
   * Someone's identity key is not the one pinned for them: their new devices are refused and
   * sends to them fail until `e2e.acceptIdentity(user)` (after comparing safety numbers). Loud.
   */
  identity_changed: { user: string; user_id: string };
  /** Reconnected to another address than the last connection's (a node failed over). */
  failover: { from: string; to: string };
  /**
   * A send whose receipt said `pending` (a room homed on another server that had not taken it
   * yet) is stored now: its receipt with the home's seq, and the message as others see it.
   */
  committed: Committed;
  /** Errors the server reports outside a request (e.g. why it disconnects), and fatal errors. */
  error: ParleyClientError;
  state: StateChange;
};

export type ClientEvent = { [TName in keyof ClientEvents]: { type: TName; data: ClientEvents[TName] } }[keyof ClientEvents];

export type Credentials =
  | { kind: 'guest'; name?: string }
  | { kind: 'login'; name: string; password: string }
  | { kind: 'register'; name: string; password: string }
  /** A device token the server issued earlier (see `device`): signs in until it is revoked. */
  | { kind: 'token'; name: string; token: string }
  /** A login key of the account; `register: true` makes an account that is this key pair. */
  | { kind: 'key'; name: string; key: LoginKey; register?: boolean };

/** The device credential this client signs in with: its id (for `revoke`) and its token. */
export interface DeviceCredential {
  id: number;
  label: string;
  token: string;
}

export type Identity = ReplyData['login'];
