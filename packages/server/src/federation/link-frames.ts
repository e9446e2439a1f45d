import { z } from 'zod';

/*
 * What servers say to each other on a federation link: MessagePack maps, each with a length
 * prefix (protocol's LengthPrefixFramer), every one checked against these schemas before it is
 * read. Sizes are bounded here so an envelope cannot carry more than a client's frame could.
 */

const serverId = z.string().regex(/^ps1[A-Za-z0-9_-]{43}$/);
/** A room's name at its home ("#dev"), or a direct conversation's id there ("dm:a3:a5@ps1…"). */
const roomName = z.string().min(2).max(200);
/** Server names as validateServerName makes them (lower case): a name with spaces or "@" would break every name@server. */
const serverName = z.string().regex(/^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$/);
const userRef = z.strictObject({ id: z.string().min(1).max(80), name: z.string().min(1).max(64) });
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const signature = z.string().regex(/^[A-Za-z0-9_-]{86}$/);
const hash = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
/** A group verb's JSON or a ratchet tree: bounded by the link's frame limit anyway (federation.max_frame_bytes). */
const E2E_MAX_ARGS = 1024 * 1024;

export const SubmissionSchema = z.strictObject({
  origin: serverId,
  sub: seq,
  home: serverId,
  room: roomName,
  sender: z.string().min(1).max(80),
  name: z.string().min(1).max(64),
  cmid: z.string().min(1).max(64).optional(),
  kind: z.enum(['action', 'mls', 'mls_commit', 'edit', 'redact', 'react', 'unreact']).optional(),
  /** The seq at the home of the message it answers or is about. */
  ref: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  text: z.string().max(64 * 1024),
  ts: z.number().int().min(0),
  /** The sender's end-to-end device, for an encrypted message (the home checks it is a member for the epoch). */
  dev: z.string().min(1).max(64).optional(),
  sig: signature,
});

export const EventSchema = z.strictObject({
  home: serverId,
  room: roomName,
  seq: seq.min(1),
  prev: z.union([hash, z.literal('')]),
  subHash: hash,
  sig: signature,
});

export const EnvelopeSchema = z.strictObject({ s: SubmissionSchema, e: EventSchema });

const AnnouncementSchema = z.strictObject({
  id: serverId,
  name: serverName,
  addresses: z.array(z.string().max(100)).max(8),
  ts: z.number().int().min(0),
  sig: signature,
});

/** A join or part as its user's server vouches for it (envelope.ts signMembership), routed to the room's home. */
const membership = {
  origin: serverId,
  home: serverId,
  room: roomName,
  user: userRef,
  ts: z.number().int().min(0),
  sig: signature,
};

export const LinkFrameSchema = z.discriminatedUnion('t', [
  /** First frame each way: who this is, and the nonce the other side's proof must cover. */
  z.strictObject({ t: z.literal('hello'), v: z.literal(1), id: serverId, name: serverName, nonce: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }),
  z.strictObject({ t: z.literal('proof'), sig: signature }),
  z.strictObject({ t: z.literal('ping') }),
  z.strictObject({ t: z.literal('pong') }),
  /** The servers the sender reaches, in hops (itself at 0), with their signed announcements. */
  z.strictObject({ t: z.literal('routes'), list: z.array(z.strictObject({ hops: z.number().int().min(0).max(255), a: AnnouncementSchema })).max(2000) }),
  /** A user of `origin` asks to join a room homed at `home`; relays pass it on toward the home. */
  z.strictObject({ t: z.literal('join'), rid: seq, ...membership, password: z.string().max(256).optional(), hops: z.number().int().min(0).max(255) }),
  z.strictObject({
    t: z.literal('joined'),
    rid: seq,
    origin: serverId,
    home: serverId,
    room: roomName,
    topic: z.string().max(1024),
    after: seq,
    members: z.array(z.string().max(160)).max(10_000),
    /** The room is end-to-end encrypted (its mirror refuses plaintext as the home does). */
    encrypted: z.literal(true).optional(),
    hops: z.number().int().min(0).max(255),
  }),
  z.strictObject({ t: z.literal('refused'), rid: seq, origin: serverId, code: z.string().max(64), message: z.string().max(1024), hops: z.number().int().min(0).max(255) }),
  z.strictObject({ t: z.literal('part'), ...membership, hops: z.number().int().min(0).max(255) }),
  /** A user of `origin` starts a direct conversation with the user named `room` at `home` (the conversation is homed at the origin). */
  z.strictObject({ t: z.literal('dm_open'), rid: seq, ...membership, hops: z.number().int().min(0).max(255) }),
  z.strictObject({ t: z.literal('dm_opened'), rid: seq, origin: serverId, home: serverId, conv: roomName, peer: userRef, hops: z.number().int().min(0).max(255) }),
  /** Send me the room's events above `after`, and the new ones as they come (from whoever holds them). */
  z.strictObject({ t: z.literal('follow'), home: serverId, room: roomName, after: seq }),
  z.strictObject({ t: z.literal('unfollow'), home: serverId, room: roomName }),
  z.strictObject({ t: z.literal('submit'), s: SubmissionSchema, hops: z.number().int().min(0).max(255) }),
  z.strictObject({ t: z.literal('accepted'), origin: serverId, sub: seq, home: serverId, room: roomName, seq: seq.min(1), hops: z.number().int().min(0).max(255) }),
  z.strictObject({ t: z.literal('rejected'), origin: serverId, sub: seq, code: z.string().max(64), message: z.string().max(1024), hops: z.number().int().min(0).max(255) }),
  z.strictObject({ t: z.literal('events'), list: z.array(EnvelopeSchema).min(1).max(256) }),
  /** A room's events without a seq, from its home down the followers (joins, parts, topics); names are absolute (user@server). */
  z.strictObject({
    t: z.literal('room'),
    home: serverId,
    room: roomName,
    /** `members`: everyone in the room now, sent to each new follower; `deleted`: the room is gone at its home. */
    /** `encrypted`: its owners turned end-to-end encryption on (for good). */
    what: z.enum(['join', 'part', 'topic', 'members', 'deleted', 'encrypted']),
    user: z.string().max(160).optional(),
    members: z.array(z.string().max(160)).max(10_000).optional(),
    /** With `members`: the room is end-to-end encrypted. */
    encrypted: z.literal(true).optional(),
    topic: z.string().max(1024).optional(),
    /** A part a moderator made at the home: a kick or a ban, by whom, why. */
    kind: z.enum(['kick', 'ban']).optional(),
    by: z.string().max(160).optional(),
    reason: z.string().max(1024).optional(),
  }),
  /**
   * End-to-end encryption through the links (e2e-relay.ts): a user of `origin` asks server `to`
   * for a directory entry or KeyPackages of one of its users, or for a group verb of a
   * conversation homed there (`conv` in the home's terms). `args` is the verb's JSON; ids in it
   * are in the origin's terms. Signed by the origin; the answer is signed by `to`.
   */
  z.strictObject({
    t: z.literal('e2e'),
    rid: seq,
    origin: serverId,
    to: serverId,
    op: z.enum(['devices', 'claim', 'egroup', 'egroupinfo', 'emembers', 'ecommit']),
    user: userRef,
    device: z.string().max(64),
    conv: z.string().max(200),
    args: z.string().max(E2E_MAX_ARGS),
    /** With `ecommit`: the commit as the conversation's message, signed by the origin like any submission. */
    s: SubmissionSchema.optional(),
    ts: z.number().int().min(0),
    sig: signature,
    hops: z.number().int().min(0).max(255),
  }),
  z.strictObject({
    t: z.literal('e2e_answer'),
    rid: seq,
    origin: serverId,
    from: serverId,
    data: z.string().max(E2E_MAX_ARGS).optional(),
    code: z.string().max(64).optional(),
    message: z.string().max(1024).optional(),
    /** A refusal's detail as a client would get it (the group's current epoch), JSON. */
    detail: z.string().max(1024).optional(),
    sig: signature,
    hops: z.number().int().min(0).max(255),
  }),
  /** A Welcome for device `device` of user `user` (an id in `to`'s terms) from the home of the conversation `room`, signed by the home; kept there until `welcome_ack`. */
  z.strictObject({
    t: z.literal('welcome'),
    home: serverId,
    to: serverId,
    user: z.string().min(1).max(80),
    device: z.string().min(1).max(64),
    room: roomName,
    group: z.string().min(1).max(100),
    epoch: seq,
    seq,
    welcome: z.string().max(E2E_MAX_ARGS),
    tree: z.string().max(E2E_MAX_ARGS),
    sig: signature,
    hops: z.number().int().min(0).max(255),
  }),
  /** A user of `origin` added, removed or replaced end-to-end devices: `to`'s users in direct conversations with them read the directory again. */
  z.strictObject({ t: z.literal('devices'), origin: serverId, to: serverId, user: userRef, identity_changed: z.boolean().optional(), hops: z.number().int().min(0).max(255) }),
  z.strictObject({ t: z.literal('welcome_ack'), home: serverId, from: serverId, user: z.string().min(1).max(80), device: z.string().min(1).max(64), group: z.string().min(1).max(100), hops: z.number().int().min(0).max(255) }),
  z.strictObject({ t: z.literal('error'), code: z.string().max(64), message: z.string().max(1024) }),
]);

export type LinkFrame = z.infer<typeof LinkFrameSchema>;
export type FrameOf<T extends LinkFrame['t']> = Extract<LinkFrame, { t: T }>;
