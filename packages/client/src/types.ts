import type { ChatMessage, PresenceStatus, ReplyData, ServerEvent } from '@parley/protocol';
import type { ParleyClientError } from './errors.ts';
import type { LoginKey } from './key-login.ts';

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

// A type alias (not an interface) so it is assignable to Emitter's Record constraint.
export type ClientEvents = {
  message: ChatMessage;
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
  /** Reconnected to another address than the last connection's (a node failed over). */
  failover: { from: string; to: string };
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
