import { z } from 'zod';
import { CONVERSATIONS_MAX, HISTORY_MAX_PAGE, MAX_DEVICE_LABEL_LENGTH } from './limits.ts';
import { parseDuration } from './grammar/durations.ts';

/**
 * Client-to-server commands of protocol v1. A structured frame is `{ "cmd": verb, "id"?: any
 * request id, ...args }`; text lines are parsed into the same shapes by the server. Every verb
 * is in this table, so the server's command table can be typed against it.
 */
const str = z.string();
const roomArg = z.object({ room: str.min(1) });
const reason = str.max(300);
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

export const COMMAND_SCHEMAS = {
  hello: z.object({ v: z.number().int().positive(), client: str.max(100).optional() }),
  guest: z.object({ name: str.optional() }),
  /** `remember`: also issue a device credential with this label (reply `device.token`). */
  register: z.object({ name: str.min(1), password: str.min(1), remember: DeviceLabelSchema.optional() }),
  /** A password or a device token, not both; `remember` goes with a password. */
  login: z
    .object({ name: str.min(1), password: str.min(1).optional(), token: deviceToken.optional(), remember: DeviceLabelSchema.optional() })
    .superRefine((args, ctx) => {
      if ((args.password === undefined) === (args.token === undefined)) ctx.addIssue({ code: 'custom', message: 'give a password or a device token (one of them)' });
      else if (args.token !== undefined && args.remember !== undefined) ctx.addIssue({ code: 'custom', path: ['remember'], message: 'a device token is remembered already; remember goes with a password' });
    }),
  nick: z.object({ name: str.min(1) }),
  send: z.object({
    to: z.union([str.min(1), z.array(str.min(1)).min(1)]),
    text: str,
    cmid: str.min(1).max(64).optional(),
    /** "action" for /me. */
    kind: z.literal('action').optional(),
  }),
  join: z.object({ room: str.min(1), password: str.max(256).optional() }),
  part: roomArg,
  create: z.object({ room: str.min(1), topic: str.optional() }),
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
  }),
  invite: z.object({ room: str.min(1), name: str.min(1) }),
  roomrole: z.object({ room: str.min(1), name: str.min(1), role: z.enum(['owner', 'moderator', 'member']) }),
  grant: z.object({ name: str.min(1), role: z.enum(['owner', 'operator', 'user']) }),
  disable: z.object({ command: str.min(1).max(32) }),
  enable: z.object({ command: str.min(1).max(32) }),
  audit: z.object({ limit: z.number().int().min(1).max(500).optional(), before: z.number().int().positive().optional() }),
  // Device credentials: your own, or (operators) the named account's.
  devices: z.object({ name: str.min(1).optional() }),
  /** `device`, not `id`: a frame's `id` is its request id. */
  revoke: z.object({ device: z.number().int().positive() }),
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
