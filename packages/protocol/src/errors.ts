/**
 * The one registry of wire error codes. Codes are stable: never renumber or reuse one.
 * Ranges: 1xxx framing/protocol, 2xxx identity, 3xxx chat, 4xxx limits, 5xxx server, 6xxx end-to-end encryption, 7xxx federation.
 * `action` tells a client what to do: `retry` (later, same request or reconnect), `fix` (change
 * the request), `stop` (the connection is closing; do not retry blindly).
 */
export type ErrorAction = 'retry' | 'fix' | 'stop';

interface ErrorSpec {
  readonly code: number;
  readonly action: ErrorAction;
  readonly description: string;
}

function spec(code: number, action: ErrorAction, description: string): ErrorSpec {
  return { code, action, description };
}

export const ERRORS = {
  BAD_FRAME: spec(1000, 'fix', 'The frame could not be decoded (malformed JSON or MessagePack, not an object, bad UTF-8).'),
  FRAME_TOO_LARGE: spec(1001, 'fix', 'The frame or line exceeds limits.max_frame_bytes.'),
  UNKNOWN_COMMAND: spec(1002, 'fix', 'The verb is not a Parley command.'),
  BAD_ARGUMENTS: spec(1003, 'fix', 'Arguments are missing or of the wrong type.'),
  HELLO_REQUIRED: spec(1004, 'fix', 'A structured connection must send `hello` before any other command.'),
  UNSUPPORTED_VERSION: spec(1005, 'stop', 'The protocol version in `hello` is not supported by this server.'),
  TLS_REQUIRED: spec(1006, 'stop', 'A plaintext client connected to a TLS port.'),
  HANDSHAKE_TIMEOUT: spec(1007, 'stop', 'The connection sent nothing usable within limits.handshake_timeout_ms.'),
  IDLE_TIMEOUT: spec(1008, 'retry', 'The connection was silent past the idle timeout and did not answer a ping.'),
  COMMAND_DISABLED: spec(1009, 'fix', 'An operator disabled this command on this server (see SERVERHELP).'),
  NOT_LOGGED_IN: spec(2000, 'fix', 'The command needs a logged-in session (REGISTER, LOGIN or GUEST first).'),
  ALREADY_LOGGED_IN: spec(2001, 'fix', 'This connection is already logged in.'),
  BAD_CREDENTIALS: spec(2002, 'fix', 'Unknown account or wrong password.'),
  NAME_TAKEN: spec(2003, 'fix', 'The name belongs to an account or an online user.'),
  NAME_INVALID: spec(2004, 'fix', 'Names are 1-32 letters, digits, "_", "-" or ".", starting with a letter; some are reserved.'),
  FORBIDDEN: spec(2005, 'fix', 'Your role does not allow this command or target.'),
  PASSWORD_INVALID: spec(2006, 'fix', 'The password is too short or too long.'),
  GUESTS_DISABLED: spec(2007, 'fix', 'This server does not allow guests.'),
  BANNED: spec(2008, 'stop', 'You, your account, address or key are banned from this server.'),
  KICKED: spec(2009, 'stop', 'An operator disconnected you; the message says why.'),
  LOGIN_LOCKED: spec(2010, 'retry', 'Too many failed logins for this account or address; retry after `retryAfterMs`.'),
  TOKEN_INVALID: spec(2011, 'fix', 'The device token is unknown or was revoked: sign in with the password. Counts as a failed login.'),
  DEVICE_REVOKED: spec(2012, 'stop', "This device's sign-in was revoked (from another device of yours, or by an operator); sign in with the password."),
  NO_SUCH_DEVICE: spec(2013, 'fix', 'No device with that id is yours (for operators: belongs to that account).'),
  KEY_TAKEN: spec(2014, 'fix', 'That public key signs in to an account already (a key belongs to one account).'),
  CHALLENGE_REQUIRED: spec(2015, 'fix', 'A key proof signs a fresh CHALLENGE of this connection, used once within its lifetime: ask for one first.'),
  KEY_PROOF_INVALID: spec(2016, 'fix', 'The signature does not verify for this key, challenge, purpose, server and connection.'),
  NO_SUCH_KEY: spec(2017, 'fix', 'Your account has no such login key (KEYS lists them).'),
  NO_SUCH_USER: spec(3000, 'fix', 'No online user or account has that name.'),
  NO_SUCH_ROOM: spec(3001, 'fix', 'The room does not exist.'),
  ROOM_EXISTS: spec(3002, 'fix', 'A room with that name exists already.'),
  NOT_IN_ROOM: spec(3003, 'fix', 'Join the room first.'),
  ROOM_INVALID: spec(3004, 'fix', 'Room names start with "#" and have 1-48 letters, digits, "_", "-" or ".".'),
  TEXT_TOO_LONG: spec(3005, 'fix', 'The message text or topic is longer than its limit.'),
  TEXT_EMPTY: spec(3006, 'fix', 'The message text is empty.'),
  BANNED_FROM_ROOM: spec(3007, 'fix', 'You are banned from this room.'),
  INVITE_ONLY: spec(3008, 'fix', 'The room is invite-only and you have no invitation.'),
  ROOM_PASSWORD: spec(3009, 'fix', 'The room needs a password and it was missing or wrong.'),
  MUTED: spec(3010, 'fix', 'You may not speak in this room: you are muted, or the room is moderated.'),
  TOPIC_LOCKED: spec(3011, 'fix', "The room's topic is locked; only its moderators may change it."),
  NO_SUCH_BAN: spec(3012, 'fix', 'No ban matches that target and scope.'),
  NO_SUCH_CONVERSATION: spec(3013, 'fix', 'The conversation id names no direct conversation of yours (only its two people may read it).'),
  NO_SUCH_MESSAGE: spec(3014, 'fix', 'The conversation has no message with that seq that can be answered, edited, redacted or reacted to (events about messages cannot).'),
  NOT_YOUR_MESSAGE: spec(3015, 'fix', "Only a message's author edits it; only its author, the room's moderators and operators redact it."),
  EDIT_WINDOW_CLOSED: spec(3016, 'fix', 'The message is older than messages.edit_window_ms, or was redacted: it can no longer be edited.'),
  REACTION_INVALID: spec(3017, 'fix', 'A reaction is one emoji (REACTION_MAX_BYTES bytes at most), and a message carries at most REACTIONS_PER_MESSAGE_MAX different ones.'),
  RATE_LIMITED: spec(4000, 'retry', 'Too many requests; retry after `retryAfterMs`.'),
  TOO_MANY_CONNECTIONS: spec(4001, 'retry', 'The server or your address has reached its connection limit.'),
  TOO_MANY_ROOMS: spec(4002, 'fix', 'You are in limits.max_rooms_per_user rooms already.'),
  TOO_MANY_RECIPIENTS: spec(4003, 'fix', 'A send names more than limits.max_recipients targets.'),
  SLOW_CONSUMER: spec(4004, 'retry', 'The connection read too slowly and its outbound queue overflowed; reconnect and resume.'),
  FLOODING: spec(4005, 'retry', 'The connection kept exceeding its rate limit and was disconnected.'),
  TOO_MANY_KEYS: spec(4006, 'fix', 'The account has the most login keys it may have; REMOVEKEY one first.'),
  E2E_NO_DEVICE: spec(6000, 'fix', 'This connection has no end-to-end device: EDEVICE first (with a certificate and a proof of its key).'),
  E2E_BAD_CERTIFICATE: spec(6001, 'fix', 'The device certificate does not decode, is not signed by the identity key it names, has expired, or names another user.'),
  E2E_IDENTITY_CHANGED: spec(6002, 'fix', "The certificate's identity key is not the one this user registered; EDEVICE with reset replaces it (every peer is warned, every old device is removed)."),
  E2E_BAD_KEY_PACKAGE: spec(6003, 'fix', 'A KeyPackage is malformed, badly signed, expired, longer than 90 days, for another suite, or not for this device.'),
  E2E_TOO_MANY_KEY_PACKAGES: spec(6004, 'fix', 'This device has the most one-time KeyPackages the server keeps for it; upload more after some are claimed.'),
  E2E_NO_GROUP: spec(6005, 'fix', 'The conversation has no encrypted group yet (EGROUP makes one).'),
  E2E_GROUP_EXISTS: spec(6006, 'fix', 'The conversation has an encrypted group already; `detail` names it and its epoch.'),
  E2E_EPOCH_CONFLICT: spec(6007, 'retry', "Another commit won this epoch: process the group's newer commits (`detail.epoch` is the current one), then commit again."),
  E2E_WRONG_EPOCH: spec(6008, 'retry', "The encrypted message is not for the group's current epoch: process the newer commits and encrypt again."),
  E2E_NOT_MEMBER: spec(6009, 'fix', "This device is not a member of the conversation's group (wait for its Welcome), or the group has no such device."),
  E2E_NOT_ENCRYPTED: spec(6010, 'fix', 'The conversation is not end-to-end encrypted: only direct conversations and encrypted rooms carry MLS messages.'),
  E2E_TOO_MANY_DEVICES: spec(6012, 'fix', 'The user has the most end-to-end devices it may have registered; remove one first.'),
  E2E_ROOM_ENCRYPTED: spec(6013, 'fix', "The room is end-to-end encrypted: its messages are MLS ciphertext (ESEND from a client with encryption); plaintext is refused, and encryption cannot be turned off."),
  E2E_MEMBERS_CHANGED: spec(6014, 'retry', "The room's encrypted group still holds devices of people who left it: commit their removal (EMEMBERS lists who belongs), then send again."),
  E2E_BAD_MESSAGE: spec(6011, 'fix', 'The bytes are not an MLS message of the kind the verb takes, or it is for another group.'),
  FEDERATION_DISABLED: spec(7000, 'fix', 'This server does not federate: names of other servers (#room@server, user@server) cannot be reached from it.'),
  NO_SUCH_SERVER: spec(7001, 'fix', 'No server of that name is known to this one: it has never linked to it (see the peers command).'),
  FEDERATION_UNREACHABLE: spec(7002, 'retry', "The room's home server is not linked right now: joining needs it (sends to rooms you are in wait as pending); retry once the link is back."),
  FEDERATION_BAD_FRAME: spec(7003, 'fix', 'A federation peer sent a frame that is not valid at this point of the link (malformed, wrong types, unknown kind, oversize).'),
  FEDERATION_BAD_SIGNATURE: spec(7004, 'fix', "An envelope's signature or hash does not verify, or it claims a user or a sequence number its signer cannot vouch for."),
  FEDERATION_PEER_REFUSED: spec(7005, 'stop', 'The link is refused: the server id does not match its pin, is denied or not allowed, or its name belongs to another server.'),
  FEDERATION_LIMIT: spec(7006, 'retry', 'A federation peer went over a link limit (frames per second, bytes); the link is closed and reconnects later.'),
  INTERNAL: spec(5000, 'retry', 'An unexpected server error; details are in the server log.'),
  SHUTTING_DOWN: spec(5001, 'retry', 'The server is shutting down; reconnect later.'),
  STORE_FULL: spec(5002, 'retry', "The server's disk is full: nothing was stored; retry later (the operator has to free space)."),
  STORE_UNAVAILABLE: spec(5003, 'retry', 'The server could not write its data (an I/O error, a read-only disk, or its database unreachable): nothing was stored; retry later.'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorName = keyof typeof ERRORS;

export interface WireError {
  code: number;
  name: ErrorName;
  action: ErrorAction;
  message: string;
  retryAfterMs?: number;
  /** E2E_GROUP_EXISTS, E2E_EPOCH_CONFLICT, E2E_WRONG_EPOCH: the conversation's group and its current epoch. */
  detail?: E2eErrorDetail;
}

export interface E2eErrorDetail {
  group: string;
  epoch: number;
}

/** A failure that is meant for the client: it carries a registry code and a human message. */
export class ParleyError extends Error {
  override readonly name = 'ParleyError';
  readonly errorName: ErrorName;
  readonly retryAfterMs: number | undefined;
  readonly detail: E2eErrorDetail | undefined;

  constructor(errorName: ErrorName, message?: string, options?: { retryAfterMs?: number; detail?: E2eErrorDetail; cause?: unknown }) {
    super(message ?? ERRORS[errorName].description, { cause: options?.cause });
    this.errorName = errorName;
    this.retryAfterMs = options?.retryAfterMs;
    this.detail = options?.detail;
  }

  get code(): number {
    return ERRORS[this.errorName].code;
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, name: this.errorName, action: ERRORS[this.errorName].action, message: this.message };
    if (this.retryAfterMs !== undefined) wire.retryAfterMs = this.retryAfterMs;
    if (this.detail !== undefined) wire.detail = this.detail;
    return wire;
  }
}

/**
 * Lower layers' errors (the server's StoreError) that stand for a wire error of their own (a
 * full disk is STORE_FULL, not INTERNAL) implement this: `toParleyError` asks them, so the
 * mapping is written once, beside the error, and every command gets it from the one boundary.
 */
export const WIRE_ERROR: unique symbol = Symbol.for('parley.wireError');
export interface HasWireError {
  /** The wire error this one means, or undefined for INTERNAL. */
  [WIRE_ERROR](): ParleyError | undefined;
}

function hasWireError(err: unknown): err is HasWireError {
  return typeof err === 'object' && err !== null && typeof (err as Partial<HasWireError>)[WIRE_ERROR] === 'function';
}

/** Boundary rule: anything that is not a ParleyError (or maps to one) becomes INTERNAL; the cause stays server-side. */
export function toParleyError(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  const mapped = hasWireError(err) ? err[WIRE_ERROR]() : undefined;
  return mapped ?? new ParleyError('INTERNAL', 'Internal server error', { cause: err });
}

const byCode = new Map<number, ErrorName>(
  (Object.keys(ERRORS) as ErrorName[]).map((name) => [ERRORS[name].code, name]),
);

export function errorNameForCode(code: number): ErrorName | undefined {
  return byCode.get(code);
}
