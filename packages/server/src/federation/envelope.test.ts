import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  envelopeFault,
  eventHash,
  membershipVerifies,
  sealSubmission,
  signMembership,
  signSubmission,
  submissionFault,
  submissionHash,
  verifySigned,
  type Envelope,
  type MembershipStatement,
  type SequencedEvent,
  type Submission,
} from './envelope.ts';
import { ephemeralServerIdentity, loadOrCreateServerIdentity, publicKeyOfServerId, serverIdOf } from './server-identity.ts';

const origin = ephemeralServerIdentity();
const home = ephemeralServerIdentity();
const stranger = ephemeralServerIdentity();

const submission = signSubmission(origin, { sub: 7, home: home.id, room: '#dev', sender: 'u1', name: 'alice', cmid: 'c1', kind: 'action', text: 'waves', ts: 1_700_000_000_000 });
const envelope = sealSubmission(home, submission, { seq: 42, prev: 'prev-hash' });

/** A signature that is valid base64url and the right length, but over other bytes. */
const otherSig = signSubmission(origin, { sub: 8, home: home.id, room: '#dev', sender: 'u1', name: 'alice', text: 'other', ts: 1 }).sig;

describe('submissions and events', () => {
  it('a signed submission and the envelope its home sealed verify', () => {
    expect(submission.origin).toBe(origin.id);
    expect(submissionFault(submission)).toBeUndefined();
    expect(envelopeFault(envelope)).toBeUndefined();
    expect(envelope.e).toMatchObject({ home: home.id, room: '#dev', seq: 42, prev: 'prev-hash', subHash: submissionHash(submission) });
  });

  it('a submission without cmid and kind verifies too', () => {
    const plain = signSubmission(origin, { sub: 9, home: home.id, room: '#dev', sender: 'u1', name: 'alice', text: 'hi', ts: 2 });
    expect(envelopeFault(sealSubmission(home, plain, { seq: 1, prev: '' }))).toBeUndefined();
  });

  const submissionChanges: [string, (s: Submission) => Submission][] = [
    ['origin', (s) => ({ ...s, origin: stranger.id })],
    ['sub', (s) => ({ ...s, sub: 8 })],
    ['home', (s) => ({ ...s, home: stranger.id })],
    ['room', (s) => ({ ...s, room: '#ops' })],
    ['sender', (s) => ({ ...s, sender: 'u2' })],
    ['name', (s) => ({ ...s, name: 'mallory' })],
    ['cmid', (s) => ({ ...s, cmid: 'c2' })],
    ['cmid removed', ({ cmid: _cmid, ...s }) => s],
    ['kind', (s) => ({ ...s, kind: 'mls' })],
    ['kind removed', ({ kind: _kind, ...s }) => s],
    ['text', (s) => ({ ...s, text: 'waves!' })],
    ['ts', (s) => ({ ...s, ts: s.ts + 1 })],
    ['sig (another signature of the origin)', (s) => ({ ...s, sig: otherSig })],
    ['sig (one character)', (s) => ({ ...s, sig: (s.sig[0] === 'A' ? 'B' : 'A') + s.sig.slice(1) })],
    ['sig (not base64url)', (s) => ({ ...s, sig: '!!!' })],
  ];

  it.each(submissionChanges)('a submission with its %s changed fails, alone and in its envelope', (_field, change) => {
    const changed = change(submission);
    expect(changed).not.toEqual(submission);
    expect(submissionFault(changed)).toBeDefined();
    expect(envelopeFault({ s: changed, e: envelope.e })).toBeDefined();
  });

  const eventChanges: [string, (e: SequencedEvent) => SequencedEvent][] = [
    ['home', (e) => ({ ...e, home: stranger.id })],
    ['room', (e) => ({ ...e, room: '#ops' })],
    ['seq', (e) => ({ ...e, seq: 43 })],
    ['prev', (e) => ({ ...e, prev: 'other-hash' })],
    ['prev (emptied)', (e) => ({ ...e, prev: '' })],
    ['subHash', (e) => ({ ...e, subHash: submissionHash({ ...submission, sig: otherSig }) })],
    ['sig', (e) => ({ ...e, sig: sealSubmission(home, submission, { seq: 43, prev: 'prev-hash' }).e.sig })],
  ];

  it.each(eventChanges)('an event with its %s changed fails', (_field, change) => {
    const changed = change(envelope.e);
    expect(changed).not.toEqual(envelope.e);
    expect(envelopeFault({ s: submission, e: changed })).toBeDefined();
  });

  it('moving both halves to another room or home does not help: the signatures cover them', () => {
    expect(envelopeFault({ s: { ...submission, room: '#ops' }, e: { ...envelope.e, room: '#ops' } })).toBeDefined();
    expect(envelopeFault({ s: { ...submission, home: stranger.id }, e: { ...envelope.e, home: stranger.id } })).toBeDefined();
  });

  it('a home-signed event paired with another valid submission of the room fails', () => {
    const second = signSubmission(origin, { sub: 8, home: home.id, room: '#dev', sender: 'u1', name: 'alice', text: 'second', ts: 2 });
    const sealed = sealSubmission(home, second, { seq: 43, prev: eventHash(envelope.e) });
    expect(envelopeFault(sealed)).toBeUndefined();
    // Both halves verify on their own; the event orders the other submission.
    expect(envelopeFault({ s: submission, e: sealed.e })).toBe('the event orders another submission');
    expect(envelopeFault({ s: second, e: envelope.e })).toBe('the event orders another submission');
  });

  it('a home-signed event naming another room than its submission fails', () => {
    // The home signing an inconsistent event itself: every signature and the subHash check out.
    const unsigned = { ...envelope.e, room: '#ops' };
    const bytes = Buffer.from(JSON.stringify(['parley-event-v1', unsigned.home, unsigned.room, unsigned.seq, unsigned.prev, unsigned.subHash]));
    const e: SequencedEvent = { home: unsigned.home, room: unsigned.room, seq: unsigned.seq, prev: unsigned.prev, subHash: unsigned.subHash, sig: home.sign(bytes) };
    expect(envelopeFault({ s: submission, e })).toBe('the event and its submission name different rooms');
  });

  it('an event sealed by another key than its home fails', () => {
    const byStranger = sealSubmission(stranger, submission, { seq: 42, prev: 'prev-hash' });
    // As sealed it names the stranger as home, which is not the submission's room home...
    expect(envelopeFault(byStranger)).toBeDefined();
    // ...and relabelled as the real home's, the signature is not the home's.
    const relabelled: Envelope = { s: submission, e: { ...byStranger.e, home: home.id } };
    expect(relabelled.e).toEqual({ ...envelope.e, sig: byStranger.e.sig });
    expect(envelopeFault(relabelled)).toBe('the event is not signed by the room home');
  });

  it('a submission re-signed by another server under the first one origin fails', () => {
    const forged: Submission = { ...signSubmission(stranger, { sub: 7, home: home.id, room: '#dev', sender: 'u1', name: 'alice', cmid: 'c1', kind: 'action', text: 'waves', ts: submission.ts }), origin: origin.id };
    expect(submissionFault(forged)).toBeDefined();
    // Even sealed by the honest home (which would have checked it first), the envelope fails.
    expect(envelopeFault(sealSubmission(home, forged, { seq: 42, prev: 'prev-hash' }))).toBe('the submission is not signed by its origin');
  });

  it('hashes are deterministic, cover the signature, and chain events', () => {
    expect(submissionHash({ ...submission })).toBe(submissionHash(submission));
    expect(submissionHash({ ...submission, sig: otherSig })).not.toBe(submissionHash(submission));
    const next = sealSubmission(home, submission, { seq: 43, prev: eventHash(envelope.e) });
    expect(next.e.prev).toBe(eventHash(envelope.e));
    expect(eventHash(next.e)).not.toBe(eventHash(envelope.e));
    expect(eventHash({ ...envelope.e, seq: 43 })).not.toBe(eventHash(envelope.e));
  });

  it('a malformed origin or home fails instead of throwing', () => {
    expect(envelopeFault({ s: { ...submission, origin: 'not-a-server' }, e: envelope.e })).toBeDefined();
    expect(envelopeFault({ s: { ...submission, home: 'ps1short' }, e: { ...envelope.e, home: 'ps1short' } })).toBeDefined();
    expect(verifySigned('ps1' + 'A'.repeat(43), Buffer.from('x'), origin.sign(Buffer.from('x')))).toBe(false);
  });
});

describe('membership statements', () => {
  const join = signMembership(origin, 'join', { home: home.id, room: '#dev', user: { id: 'u1', name: 'alice' }, ts: 1000 });

  it('a join verifies as a join, not as a part, and a part not as a join', () => {
    expect(join.origin).toBe(origin.id);
    expect(membershipVerifies('join', join)).toBe(true);
    expect(membershipVerifies('part', join)).toBe(false);
    const part = signMembership(origin, 'part', { home: home.id, room: '#dev', user: { id: 'u1', name: 'alice' }, ts: 1000 });
    expect(membershipVerifies('part', part)).toBe(true);
    expect(membershipVerifies('join', part)).toBe(false);
  });

  const changes: [string, (m: MembershipStatement) => MembershipStatement][] = [
    ['origin', (m) => ({ ...m, origin: stranger.id })],
    ['home', (m) => ({ ...m, home: stranger.id })],
    ['room', (m) => ({ ...m, room: '#ops' })],
    ['user id', (m) => ({ ...m, user: { ...m.user, id: 'u2' } })],
    ['user name', (m) => ({ ...m, user: { ...m.user, name: 'mallory' } })],
    ['ts', (m) => ({ ...m, ts: m.ts + 1 })],
    ['sig', (m) => ({ ...m, sig: signMembership(origin, 'join', { ...m, ts: 999 }).sig })],
  ];

  it.each(changes)('a join with its %s changed fails', (_field, change) => {
    expect(membershipVerifies('join', change(join))).toBe(false);
  });

  it('a join signed by another server under the first one origin fails', () => {
    const forged = { ...signMembership(stranger, 'join', { home: home.id, room: '#dev', user: { id: 'u1', name: 'alice' }, ts: 1000 }), origin: origin.id };
    expect(membershipVerifies('join', forged)).toBe(false);
  });
});

describe('server ids', () => {
  it('serverIdOf and publicKeyOfServerId round trip', () => {
    expect(serverIdOf(origin.publicKey)).toBe(origin.id);
    expect(origin.id).toMatch(/^ps1[A-Za-z0-9_-]{43}$/);
    expect(publicKeyOfServerId(origin.id)).toBe(origin.publicKey);
    expect(origin.id).not.toBe(home.id);
  });

  const key = origin.publicKey;
  it.each([
    ['empty', ''],
    ['the prefix alone', 'ps1'],
    ['the key without the prefix', key],
    ['another prefix', `ps2${key}`],
    ['an upper-case prefix', `PS1${key}`],
    ['a key one character short', `ps1${key.slice(1)}`],
    ['a key one character long', `ps1${key}A`],
    ['base64 (not url) characters', `ps1+/${key.slice(2)}`],
    ['padding', `ps1${key.slice(1)}=`],
    ['a space', `ps1 ${key.slice(1)}`],
  ])('publicKeyOfServerId rejects %s', (_what, id) => {
    expect(publicKeyOfServerId(id)).toBeUndefined();
  });

  // 43 base64url characters carry 258 bits for a 32-byte key, so the last character's low two
  // bits are padding that decoders ignore: without the canonical check, four ids named every key
  // and a server could present itself (and pass a denylist by id) under another one.
  it('rejects an id whose last character has padding bits set (a second id for the same key)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(origin.id.at(-1)!);
    const alias = origin.id.slice(0, -1) + alphabet[last ^ 1];
    const data = Buffer.from('hello');
    expect(verifySigned(alias, data, origin.sign(data))).toBe(false);
    expect(publicKeyOfServerId(alias)).toBeUndefined();
  });
});

describe('loadOrCreateServerIdentity', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-key-'));
    dirs.push(dir);
    return dir;
  };

  it('makes the key file with mode 0600 the first time, and loads the same id after', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const made = await loadOrCreateServerIdentity(dataDir);
    const file = path.join(dataDir, 'federation', 'server-key.pem');
    expect(made.generated).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toContain('BEGIN PRIVATE KEY');

    const loaded = await loadOrCreateServerIdentity(dataDir);
    expect(loaded.generated).toBe(false);
    expect(loaded.id).toBe(made.id);
    expect(loaded.publicKey).toBe(made.publicKey);
    const data = Buffer.from('same key');
    expect(verifySigned(made.id, data, loaded.sign(data))).toBe(true);
    // Another data dir is another server.
    expect((await loadOrCreateServerIdentity(tempDir())).id).not.toBe(made.id);
  });

  it('refuses a key file that is not an Ed25519 key', async () => {
    const dataDir = tempDir();
    fs.mkdirSync(path.join(dataDir, 'federation'));
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fs.writeFileSync(path.join(dataDir, 'federation', 'server-key.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    await expect(loadOrCreateServerIdentity(dataDir)).rejects.toThrow('not an Ed25519 private key');
  });
});
