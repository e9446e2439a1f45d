import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { MessageKind } from '@parley/protocol';
import { publicKeyOfServerId, type ServerIdentity } from './server-identity.ts';

/**
 * A message as its origin server vouches for it: the sender is one of the origin's own users
 * (its local id there), so a submission can only ever speak for the server that signed it.
 * `sub` is the origin's submission counter: (origin, sub) names one submission network-wide.
 */
export interface Submission {
  origin: string;
  sub: number;
  /** The room's home server id and its name there ("#dev"). */
  home: string;
  room: string;
  sender: string;
  name: string;
  cmid?: string;
  kind?: MessageKind;
  text: string;
  ts: number;
  /** The sender's end-to-end device, on an encrypted message. */
  dev?: string;
  /** The seq (at the home) of the message this one answers or is about. */
  ref?: number;
  sig: string;
}

/** The home's word on where a submission sits in the room: seq, chained to the event before it. */
export interface SequencedEvent {
  home: string;
  room: string;
  seq: number;
  /** Hash of the room's previous event ('' for the first event the home sealed). */
  prev: string;
  /** Hash of the submission this event orders. */
  subHash: string;
  sig: string;
}

/** What travels between servers and is stored by every server that has the room. */
export interface Envelope {
  s: Submission;
  e: SequencedEvent;
}

// The exact bytes signed: a JSON array in a fixed field order, so there is one encoding and no
// field can be moved into another. The tag keeps a submission signature from passing as an event's.
function submissionBytes(s: Omit<Submission, 'sig'>): Buffer {
  const fields = ['parley-submission-v1', s.origin, s.sub, s.home, s.room, s.sender, s.name, s.cmid ?? '', s.kind ?? '', s.text, s.ts];
  // Appended only when there is one, so submissions without them sign the bytes they always did.
  if (s.dev !== undefined) fields.push(s.dev);
  if (s.ref !== undefined) fields.push(`ref:${s.ref}`);
  return Buffer.from(JSON.stringify(fields));
}

function eventBytes(e: Omit<SequencedEvent, 'sig'>): Buffer {
  return Buffer.from(JSON.stringify(['parley-event-v1', e.home, e.room, e.seq, e.prev, e.subHash]));
}

function hashOf(bytes: Buffer, sig: string): string {
  return createHash('sha256').update(bytes).update(sig).digest('base64url');
}

export function submissionHash(s: Submission): string {
  return hashOf(submissionBytes(s), s.sig);
}

export function eventHash(e: SequencedEvent): string {
  return hashOf(eventBytes(e), e.sig);
}

export function signSubmission(identity: ServerIdentity, s: Omit<Submission, 'origin' | 'sig'>): Submission {
  const unsigned = { ...s, origin: identity.id };
  return { ...unsigned, sig: identity.sign(submissionBytes(unsigned)) };
}

export function sealSubmission(identity: ServerIdentity, s: Submission, at: { seq: number; prev: string }): Envelope {
  const unsigned = { home: identity.id, room: s.room, seq: at.seq, prev: at.prev, subHash: submissionHash(s) };
  return { s, e: { ...unsigned, sig: identity.sign(eventBytes(unsigned)) } };
}

// Verifying makes a key object per call otherwise; the servers a process hears from are few.
const keys = new Map<string, KeyObject>();

function keyOf(serverId: string): KeyObject | undefined {
  let key = keys.get(serverId);
  if (key) return key;
  const raw = publicKeyOfServerId(serverId);
  if (raw === undefined) return undefined;
  try {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
  } catch {
    return undefined;
  }
  if (keys.size >= 10_000) keys.clear();
  keys.set(serverId, key);
  return key;
}

export function verifySigned(serverId: string, bytes: Uint8Array, sig: string): boolean {
  const key = keyOf(serverId);
  if (!key || typeof sig !== 'string') return false;
  try {
    return verify(null, bytes, key, Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
}

/**
 * Why an envelope cannot be taken, or undefined when it verifies: the origin signed the
 * submission, the home signed the event, the event orders this very submission, and both name
 * the same room. Shapes are checked by the link's frame schema before this.
 */
export function envelopeFault(envelope: Envelope): string | undefined {
  const { s, e } = envelope;
  if (s.home !== e.home || s.room !== e.room) return 'the event and its submission name different rooms';
  if (e.subHash !== submissionHash(s)) return 'the event orders another submission';
  if (!verifySigned(e.home, eventBytes(e), e.sig)) return 'the event is not signed by the room home';
  // The home's own users' messages: its event signature already covers the whole submission
  // (subHash), by the same key, so checking the submission's signature too would add nothing.
  if (s.origin !== e.home && !verifySigned(s.origin, submissionBytes(s), s.sig)) return 'the submission is not signed by its origin';
  return undefined;
}

export function submissionFault(s: Submission): string | undefined {
  return verifySigned(s.origin, submissionBytes(s), s.sig) ? undefined : 'the submission is not signed by its origin';
}

/** `dm`: the user starts a direct conversation with the user named `room` on `home`. */
export type MembershipKind = 'join' | 'part' | 'dm';

/** A join, a part or a DM opening, signed by the user's own server: a relay cannot make one up for someone else's user. */
export interface MembershipStatement {
  origin: string;
  home: string;
  room: string;
  user: { id: string; name: string };
  ts: number;
  sig: string;
}

function membershipBytes(kind: MembershipKind, m: Omit<MembershipStatement, 'sig'>): Buffer {
  return Buffer.from(JSON.stringify([`parley-${kind}-v1`, m.origin, m.home, m.room, m.user.id, m.user.name, m.ts]));
}

export function signMembership(identity: ServerIdentity, kind: MembershipKind, m: Omit<MembershipStatement, 'origin' | 'sig'>): MembershipStatement {
  const unsigned = { ...m, origin: identity.id };
  return { ...unsigned, sig: identity.sign(membershipBytes(kind, unsigned)) };
}

export function membershipVerifies(kind: MembershipKind, m: MembershipStatement): boolean {
  return verifySigned(m.origin, membershipBytes(kind, { origin: m.origin, home: m.home, room: m.room, user: m.user, ts: m.ts }), m.sig);
}
