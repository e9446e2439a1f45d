import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eDirectoryEntry } from '@parley/protocol';
import { answerVerifies, ephemeralServerIdentity, signAnswer, signMembership, signRequest, signSubmission, signWelcome, type LinkFrame } from '@parley/server';
import type { FrameClient, SpawnedServer } from '../src/index.ts';
import { FakePeer } from './federation-fake-peer.ts';
import { FederationTestbed, health, history, logWatcher } from './federation-kit.ts';

/**
 * End-to-end requests between servers (docs/federation.md, "End-to-end encryption across
 * servers"), refused when they cannot be verified: a real server B, and a server played by the
 * test that asks it for directory entries, KeyPackages and group verbs with bad signatures,
 * replays, stale times, names it does not own, commits whose submission says something else,
 * and that answers and welcomes B never asked for. B answers each with a signed refusal (or
 * drops and logs it) and keeps serving.
 */
const bed = new FederationTestbed();
const other = ephemeralServerIdentity();
let b: SpawnedServer;
let home: string;
let logFile: string;
let bob: FrameClient;
let evil: FakePeer;
let rid = 100;

const logged = logWatcher(() => logFile);

type E2eFrame = Extract<LinkFrame, { t: 'e2e' }>;
type Answer = Extract<LinkFrame, { t: 'e2e_answer' }>;

function request(over: Partial<Omit<E2eFrame, 't' | 'origin' | 'sig' | 'hops'>> = {}): E2eFrame {
  return signRequest(evil.identity, { rid: ++rid, to: home, op: 'devices', user: { id: 'm1', name: 'mallory' }, device: 'dEvil', conv: '', args: JSON.stringify({ name: 'bob' }), ts: Date.now(), ...over });
}

async function ask(frame: E2eFrame): Promise<Answer> {
  evil.send(frame);
  return evil.next('e2e_answer', (a) => a.rid === frame.rid);
}

beforeAll(async () => {
  const dir = bed.dataDir();
  logFile = join(dir, 'log.json');
  b = await bed.server('b.test', { dir, extra: ['--set', `log.file=${logFile}`, '--set', 'federation.frames_per_second=200'] });
  bob = await bed.user(b, 'bob');
  await bob.ok('join', { room: '#town' });
  evil = await FakePeer.link(b, { name: 'evil.test' });
  home = (await health(b)).federation.id;
  evil.send({ t: 'join', rid: 1, ...signMembership(evil.identity, 'join', { home, room: '#town', user: { id: 'm1', name: 'mallory' }, ts: Date.now() }), hops: 0 });
  await evil.next('joined');
}, 60_000);
afterAll(() => bed.cleanup());

describe('end-to-end requests between servers', () => {
  it("answers a signed directory request in its own terms, signed, and refuses it replayed", async () => {
    const frame = request();
    const answer = await ask(frame);
    expect(answerVerifies(answer)).toBe(true);
    expect(answer.from).toBe(home);
    const entry = JSON.parse(answer.data ?? '') as E2eDirectoryEntry;
    expect(entry).toMatchObject({ name: 'bob', user_id: 'a1', identity_key: null, devices: [] });
    // The same request again (a relay replaying it, say): refused.
    evil.send(frame);
    expect(await evil.next('e2e_answer', (a) => a.rid === frame.rid && a.code !== undefined)).toMatchObject({ code: 'FEDERATION_BAD_SIGNATURE', message: expect.stringMatching(/before/) });
  });

  it('refuses a request signed by another key, an old one, a name of another server, and arguments that are not JSON', async () => {
    const forged = { ...signRequest(other, { rid: ++rid, to: home, op: 'devices', user: { id: 'm1', name: 'mallory' }, device: '', conv: '', args: '{"name":"bob"}', ts: Date.now() }), origin: evil.identity.id };
    expect(await ask(forged)).toMatchObject({ code: 'FEDERATION_BAD_SIGNATURE' });
    await logged(/e2e request refused/);
    expect(await ask(request({ ts: Date.now() - 3_600_000 }))).toMatchObject({ code: 'FEDERATION_BAD_SIGNATURE', message: expect.stringMatching(/too old/) });
    expect(await ask(request({ op: 'claim', args: JSON.stringify({ name: 'bob@b.test' }) }))).toMatchObject({ code: 'NO_SUCH_USER' });
    expect(await ask(request({ args: '{not json' }))).toMatchObject({ code: 'BAD_ARGUMENTS' });
    expect(await ask(request({ op: 'ecommit', args: JSON.stringify({ to: 'x', group: 5 }) }))).toMatchObject({ code: 'BAD_ARGUMENTS' });
  });

  it("refuses a commit whose submission says something else, and one for a conversation that is not the caller's", async () => {
    const commit = { to: 'bob', group: 'g'.repeat(22), epoch: 0, commit: 'AAAA', added: [], removed: [] };
    const conv = `dm:a1:m1@${evil.identity.id}`;
    const s = signSubmission(evil.identity, { sub: 50, home, room: conv, sender: 'm1', name: 'mallory', cmid: 'c50', kind: 'mls_commit', text: 'something else', ts: Date.now() });
    expect(await ask(request({ op: 'ecommit', conv, args: JSON.stringify(commit), s }))).toMatchObject({ code: 'FEDERATION_BAD_SIGNATURE' });
    const matching = signSubmission(evil.identity, { sub: 51, home, room: conv, sender: 'm1', name: 'mallory', cmid: 'c51', kind: 'mls_commit', text: commit.commit, ts: Date.now() });
    expect(await ask(request({ op: 'ecommit', conv, args: JSON.stringify(commit), s: matching }))).toMatchObject({ code: 'NOT_IN_ROOM' });
    expect(await ask(request({ op: 'egroupinfo', conv: '#town', args: JSON.stringify({ to: '#town' }) }))).toMatchObject({ code: 'E2E_NOT_ENCRYPTED' });
  });

  it('refuses encrypted messages and commits sent as plain submissions', async () => {
    const base = { home, room: '#town', sender: 'm1', name: 'mallory', ts: Date.now() };
    evil.send({ t: 'submit', s: signSubmission(evil.identity, { ...base, sub: 60, kind: 'mls_commit', text: 'AAAA' }), hops: 0 });
    expect(await evil.next('rejected', (f) => f.sub === 60)).toMatchObject({ code: 'E2E_BAD_MESSAGE' });
    evil.send({ t: 'submit', s: signSubmission(evil.identity, { ...base, sub: 61, kind: 'mls', text: 'AAAA', dev: 'dEvil' }), hops: 0 });
    expect(await evil.next('rejected', (f) => f.sub === 61)).toMatchObject({ code: 'E2E_NOT_ENCRYPTED' });
    expect((await history(bob, '#town')).filter((m) => m.kind === 'mls' || m.kind === 'mls_commit')).toEqual([]);
  });

  it("drops answers it never asked for or that are not the answering server's, and Welcomes for conversations it does not mirror", async () => {
    const unsolicited = signAnswer(evil.identity, { rid: 999_999, origin: home, data: '{}' });
    evil.send({ ...unsolicited, from: other.id });
    await logged(/forged e2e answer dropped/);
    const welcome = { to: home, user: 'a1', device: 'd1', room: '#nowhere', group: 'g1', epoch: 1, seq: 1, welcome: 'AAAA', tree: 'AAAA' };
    evil.send(signWelcome(evil.identity, welcome));
    await logged(/welcome for a conversation not mirrored here dropped/);
    // One that claims another server as the home, signed by this one: not that home's.
    evil.send({ ...signWelcome(evil.identity, welcome), home: other.id });
    await logged(/forged welcome dropped/);
    // Still serving, and nothing stored lost.
    await bob.ok('send', { to: '#town', text: 'still here' });
    expect((await history(bob, '#town')).map((m) => m.text)).toContain('still here');
  });
});
