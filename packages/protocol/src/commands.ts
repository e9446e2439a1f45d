import { z } from 'zod';
import { CONVERSATIONS_MAX, HISTORY_MAX_PAGE, REACTION_MAX_BYTES, SEARCH_MAX_RESULTS, MAX_DEVICE_LABEL_LENGTH, MAX_E2E_DEVICES_PER_USER, MAX_KEY_PACKAGES_PER_UPLOAD, MAX_MLS_TEXT, MAX_TREE_PARTS } from './limits.ts';
import { parseDuration } from './grammar/durations.ts';

/**
 * Client-to-server commands of protocol v1. A structured frame is `{ "cmd": verb, "id"?: any
 * request id, ...args }`; text lines are parsed into the same shapes by the server. Every verb
 * is in this table, so the server's command table can be typed against it.
 */
const str = z.string();
const roomArg = z.object({ room: str.min(1) });
const reason = str.max(300);
const seq = z.number().int().positive();
/** A required string whose absence says what to give, rather than "expected string, received undefined". */
const needed = (what: string) => z.string({ error: what }).min(1, what);
const cursors = z.record(str, z.number().int().nonnegative());
/** A duration argument, checked by the same rules as typed durations (grammar/durations.ts). */
export const DurationSchema = z.union([str.max(20), z.number().int().nonnegative()]).superRefine((value, ctx) => {
  try {
    parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/**
 * What a person calls a device ("Chrome on Linux"): shown in device lists and text lines, so
 * one line of printable text. Control characters would break text mode's one-line rule.
 */
export const DeviceLabelSchema = str
  .min(1)
  .max(MAX_DEVICE_LABEL_LENGTH)
  .regex(/^[^\p{Cc}]*$/u, 'a device label is one line of text, without control characters');

/** A device token is 43 characters (32 random bytes, base64url); the cap leaves room for a later format. */
const deviceToken = str.min(1).max(128);

/** An Ed25519 public key: its raw 32 bytes in base64url, 43 characters. */
const publicKey = str.regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, 'a public key is an Ed25519 key: 32 bytes in base64url (43 characters)');
/** An Ed25519 signature: 64 bytes in base64url, 86 characters. */
const keySignature = str.regex(/^[A-Za-z0-9_-]{85}[AQgw]$/, 'a signature is 64 bytes in base64url (86 characters)');

/** MLS bytes (a message, KeyPackage, Welcome, ratchet tree or certificate) in base64url. */
const mls = str.min(1).max(MAX_MLS_TEXT).regex(/^[A-Za-z0-9_-]+$/, 'MLS data is base64url without padding');
/** An MLS group id, base64url (Parley's are 32 random bytes, 43 characters). */
const groupId = str.min(1).max(128).regex(/^[A-Za-z0-9_-]+$/, 'a group id is base64url');
/** A device of a group, as the committer names the devices it adds or removes. */
const groupDevice = z.object({ user_id: str.min(1).max(64), device_id: str.min(1).max(64) });
const groupDevices = z.array(groupDevice).max(MAX_E2E_DEVICES_PER_USER * 64);

/** Exactly one way to prove who you are, given by which fields are present. */
function oneProof(allowed: readonly ('password' | 'token' | 'key')[]) {
  return (args: { password?: string | undefined; token?: string | undefined; key?: string | undefined; signature?: string | undefined; remember?: string | undefined }, ctx: z.RefinementCtx) => {
    const given = (['password', 'token', 'key'] as const).filter((field) => allowed.includes(field) && args[field] !== undefined);
    if (given.length !== 1) ctx.addIssue({ code: 'custom', message: `give ${allowed.map((f) => (f === 'key' ? 'a key and its signature' : f === 'token' ? 'a device token' : 'a password')).join(' or ')} (one of them)` });
    else if ((args.key === undefined) !== (args.signature === undefined)) ctx.addIssue({ code: 'custom', path: ['signature'], message: 'a key goes with the signature of a challenge (CHALLENGE first)' });
    else if (args.token !== undefined && args.remember !== undefined) ctx.addIssue({ code: 'custom', path: ['remember'], message: 'a device token is remembered already; remember goes with a password' });
  };
}

export const COMMAND_SCHEMAS = {
  /** `compress`: ask for compression of this connection (permessage-deflate on WebSocket, a deflate stream on TCP); the reply says whether it is on. */
  hello: z.object({ v: z.number().int().positive(), client: str.max(100).optional(), compress: z.enum(['deflate']).optional() }),
  guest: z.object({ name: str.optional() }),
  /** A single-use nonce to sign for a key login, registration or addkey (see key-proof.ts). */
  challenge: z.object({}),
  /**
   * With a password, or with a key and its signature of a challenge (an account that is a key
   * pair, without a password). `remember`: also issue a device credential (reply `device.token`).
   */
  register: z
    .object({ name: str.min(1), password: str.min(1).optional(), key: publicKey.optional(), signature: keySignature.optional(), remember: DeviceLabelSchema.optional() })
    .superRefine(oneProof(['password', 'key'])),
  /** A password, a device token, or a key and its signature of a challenge: one of them. */
  login: z
    .object({
      name: str.min(1),
      password: str.min(1).optional(),
      token: deviceToken.optional(),
      key: publicKey.optional(),
      signature: keySignature.optional(),
      remember: DeviceLabelSchema.optional(),
    })
    .superRefine(oneProof(['password', 'token', 'key'])),
  nick: z.object({ name: str.min(1) }),
  send: z.object({
    to: z.union([str.min(1), z.array(str.min(1)).min(1)]),
    text: str,
    cmid: str.min(1).max(64).optional(),
    /** "action" for /me. */
    kind: z.literal('action').optional(),
    /** Answers the message with this seq in the same conversation (one target only). */
    reply: seq.optional(),
  }),
  /** A new version of one of your messages (within messages.edit_window). */
  edit: z.object({ to: str.min(1), seq, text: str, cmid: str.min(1).max(64).optional() }),
  /** Deletes a message: your own, or anyone's in a room you moderate (audited); it becomes a tombstone. */
  redact: z.object({ to: str.min(1), seq, reason: reason.optional(), cmid: str.min(1).max(64).optional() }),
  /** Adds (or with `remove`, takes back) your reaction to a message. */
  react: z.object({ to: str.min(1), seq, emoji: str.min(1).max(REACTION_MAX_BYTES), remove: z.boolean().optional() }),
  /** You are typing in a conversation (`on`, the default), or stopped. Not stored; rate-limited. */
  typing: z.object({ to: str.min(1), on: z.boolean().optional() }),
  /** You read a conversation up to `seq`: your other connections hear it, and unread counts follow. */
  read: z.object({ to: str.min(1), seq: z.number().int().nonnegative() }),
  /** Your read position and unread count in each of your conversations (rooms you are in and direct ones). */
  unread: z.object({}),
  /** Full-text search over what you may read: `in` one conversation, `from` one person, between times (ms). */
  search: z.object({
    words: str.min(1).max(300),
    in: str.min(1).optional(),
    from: str.min(1).max(64).optional(),
    after: z.number().int().nonnegative().optional(),
    before: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(SEARCH_MAX_RESULTS).optional(),
  }),
  join: z.object({ room: str.min(1), password: str.max(256).optional() }),
  part: roomArg,
  create: z.object({ room: str.min(1), topic: str.optional(), encrypted: z.boolean().optional() }),
  delete: roomArg,
  rooms: z.object({}),
  who: z.object({ room: str.min(1) }),
  list: z.object({}),
  topic: z.object({ room: str.min(1), topic: str.optional() }),
  history: z.object({
    with: str.min(1),
    before: z.number().int().positive().optional(),
    after: z.number().int().nonnegative().optional(),
    limit: z.number().int().min(1).max(HISTORY_MAX_PAGE).optional(),
  }),
  resume: z.object({ cursors }),
  /** Your direct conversations, newest first (a second device fills its sidebar from this). */
  conversations: z.object({ limit: z.number().int().min(1).max(CONVERSATIONS_MAX).optional() }),
  presence: z.object({ status: z.enum(['online', 'away']) }),
  help: z.object({}),
  ping: z.object({ token: str.max(64).optional() }),
  pong: z.object({ token: str.max(64).optional() }),
  quit: z.object({ reason: str.max(200).optional() }),
  // Operators and moderation. `room` makes a command room-scoped: a room moderator
  // may then run it there; without `room` it is server-wide and needs a server operator.
  oper: z.object({ password: str.min(1).max(256) }),
  serverinfo: z.object({}),
  userinfo: z.object({ name: str.min(1) }),
  kick: z.object({ name: str.min(1), room: str.min(1).optional(), reason: reason.optional() }),
  ban: z.object({
    target: str.min(1).max(200),
    room: str.min(1).optional(),
    /** "30s", "10m", "2h", "7d", "1w" or seconds, at most ten years; absent or "0": permanent. */
    duration: DurationSchema.optional(),
    reason: reason.optional(),
    /** For a name: also ban the addresses that user is connected from now. */
    addresses: z.boolean().optional(),
  }),
  unban: z.object({ target: str.min(1).max(200), room: str.min(1).optional() }),
  listbans: z.object({ room: str.min(1).optional() }),
  broadcast: z.object({ text: str.min(1) }),
  mute: z.object({ room: str.min(1), name: str.min(1), reason: reason.optional() }),
  unmute: z.object({ room: str.min(1), name: str.min(1) }),
  mode: z.object({
    room: str.min(1),
    invite_only: z.boolean().optional(),
    /** A room password; "" removes it. */
    password: str.max(256).optional(),
    moderated: z.boolean().optional(),
    topic_lock: z.boolean().optional(),
    /** Only `true`: an owner makes the room end-to-end encrypted, for good. */
    encrypted: z.boolean().optional(),
  }),
  invite: z.object({ room: str.min(1), name: str.min(1) }),
  roomrole: z.object({ room: str.min(1), name: str.min(1), role: z.enum(['owner', 'moderator', 'member']) }),
  grant: z.object({ name: str.min(1), role: z.enum(['owner', 'operator', 'user']) }),
  disable: z.object({ command: str.min(1).max(32) }),
  enable: z.object({ command: str.min(1).max(32) }),
  audit: z.object({ limit: z.number().int().min(1).max(500).optional(), before: z.number().int().positive().optional() }),
  // Federation links (docs/protocol.md, "Federation peers"): FEDERATION_DISABLED where it is off.
  peers: z.object({}),
  /** Keep a link to this address (TLS, always); the host as a hostname or an IP address, IPv6 without brackets. */
  connect: z.object({
    host: needed('a host is needed (a hostname or an IP address)').max(253),
    port: z.number({ error: 'the port is a number, 1-65535' }).int('the port is a whole number, 1-65535').min(1, 'the port is 1-65535').max(65535, 'the port is 1-65535'),
  }),
  /** A known server's name or id: its link closes and this server stops dialing it. */
  disconnect: z.object({ server: needed('name the server (its name or id)').max(253) }),
  // Device credentials: your own, or (operators) the named account's.
  devices: z.object({ name: str.min(1).optional() }),
  /** `device`, not `id`: a frame's `id` is its request id. */
  revoke: z.object({ device: z.number().int().positive() }),
  // Login keys of your account.
  keys: z.object({}),
  /** `signature`: of a fresh challenge, for purpose "addkey", proving you hold the key. */
  addkey: z.object({ key: publicKey, signature: keySignature, label: DeviceLabelSchema.optional() }),
  removekey: z.object({ key: publicKey }),
  // End-to-end encryption: the server is MLS's Delivery Service (docs/protocol.md, "Encryption").
  /**
   * Binds this connection to an end-to-end device: its certificate (signed by the user's identity
   * key) and `signature`, the device key's proof of a fresh challenge for purpose "edevice".
   * `reset`: replace a different identity key registered before (removes every old device).
   */
  edevice: z.object({ certificate: mls, signature: keySignature, reset: z.boolean().optional() }),
  /** Removes one of your end-to-end devices from the directory; its groups drop it at their next commit. */
  eremovedevice: z.object({ device_id: str.min(1).max(64) }),
  /** A user's identity key and registered devices (the directory a client checks a group against). */
  edevices: z.object({ name: str.min(1) }),
  /** One-time KeyPackages of this connection's device, and optionally its last-resort package. */
  kpupload: z.object({ packages: z.array(mls).max(MAX_KEY_PACKAGES_PER_UPLOAD), last_resort: mls.optional() }),
  /** One KeyPackage of each device of the named user, or of the listed ones (one-time ones are used once). */
  kpclaim: z.object({ name: str.min(1), device_ids: z.array(str.min(1).max(64)).min(1).max(MAX_E2E_DEVICES_PER_USER).optional() }),
  /** Makes the group of a conversation (a user for a DM, or an encrypted room) at epoch 0. */
  egroup: z.object({ to: str.min(1), group: groupId }),
  /** The conversation's group: id, epoch and member devices. */
  egroupinfo: z.object({ to: str.min(1) }),
  /** Who belongs in the conversation's group: a room's members, a DM's people. */
  emembers: z.object({ to: str.min(1) }),
  /**
   * A commit for `epoch` of the conversation's group: the server accepts one per epoch. `welcome`
   * goes to the added devices with `tree`, the ratchet tree of the new epoch (only with a
   * Welcome); a tree too long for the frame went ahead in ETREEPART parts, and `tree_parts` says
   * how many.
   */
  ecommit: z.object({
    to: str.min(1),
    group: groupId,
    epoch: z.number().int().nonnegative(),
    commit: mls,
    tree: mls.optional(),
    tree_parts: z.number().int().min(1).max(MAX_TREE_PARTS).optional(),
    added: groupDevices,
    removed: groupDevices,
    welcome: mls.optional(),
  }),
  /** Part `index` of `count` of the ratchet tree the next ECOMMIT for `epoch` of the group names by `tree_parts`. */
  etreepart: z.object({
    group: groupId,
    epoch: z.number().int().nonnegative(),
    index: z.number().int().min(0).max(MAX_TREE_PARTS - 1),
    count: z.number().int().min(1).max(MAX_TREE_PARTS),
    data: mls,
  }),
  /** An MLS application message (ciphertext) to a conversation's group. */
  /** `ref`: the seq of a message this one answers or is about (an edit, a reaction inside the ciphertext): the server sees only that. */
  esend: z.object({ to: str.min(1), data: mls, cmid: str.min(1).max(64).optional(), ref: seq.optional() }),
  /** The Welcomes waiting for this connection's device. */
  welcomes: z.object({}),
  /** This device joined from the group's Welcome: the server may forget it. */
  welcomeack: z.object({ group: groupId }),
} as const;

export type Verb = keyof typeof COMMAND_SCHEMAS;
export type CommandArgs<TVerb extends Verb> = z.infer<(typeof COMMAND_SCHEMAS)[TVerb]>;
export const VERBS = Object.keys(COMMAND_SCHEMAS) as Verb[];

export function isVerb(value: string): value is Verb {
  return Object.hasOwn(COMMAND_SCHEMAS, value);
}

/** A request id echoes back in the reply; clients choose it (number or short string). */
export const RequestIdSchema = z.union([z.number(), z.string().max(64)]);
export type RequestId = z.infer<typeof RequestIdSchema>;
