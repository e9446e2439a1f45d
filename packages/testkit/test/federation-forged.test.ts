import { join } from 'node:path';
import { pack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lengthPrefix, type ReplyData } from '@parley/protocol';
import { ephemeralServerIdentity, sealSubmission, signMembership, signSubmission, type Submission } from '@parley/server';
import type { FrameClient, SpawnedServer } from '../src/index.ts';
import { FakePeer } from './federation-fake-peer.ts';
import { FederationTestbed, health, history, okData, poll, logWatcher } from './federation-kit.ts';

/**
 * A real server B, and servers played by the test that lie to it: forged signatures, altered
 * bodies, replayed submissions, users of servers that did not sign for them, an equivocating
 * home, frames past the hop limit, a denied origin relayed by a friendly peer, malformed and
 * flooding links. Each is refused or dropped, logged, and B keeps serving with nothing lost.
 */
const bed = new FederationTestbed();
const denied = ephemeralServerIdentity();
const other = ephemeralServerIdentity();
let b: SpawnedServer;
let logFile: string;
let bob: FrameClient;
let evil: FakePeer;

const logged = logWatcher(() => logFile);
const townCount = async () => (await history(bob, '#town')).length;

function submission(over: Partial<Omit<Submission, 'origin' | 'sig'>> = {}): Omit<Submission, 'origin' | 'sig'> {
  return { sub: 1, home: '', room: '#town', sender: 'm1', name: 'mallory', text: 'hi from evil', ts: Date.now(), ...over };
}

beforeAll(async () => {
  const dir = bed.dataDir();
  logFile = join(dir, 'log.json');
  b = await bed.server('b.test', { dir, extra: ['--set', `log.file=${logFile}`, '--set', `federation.denylist=${denied.id}`, '--set', 'federation.frames_per_second=200'] });
  bob = await bed.user(b, 'bob');
  await bob.ok('join', { room: '#town' });
  await bob.ok('send', { to: '#town', text: 'first' });
  evil = await FakePeer.link(b, { name: 'evil.test' });
  const home = (await health(b)).federation.id;
  evil.send({ t: 'join', rid: 1, ...signMembership(evil.identity, 'join', { home, room: '#town', user: { id: 'm1', name: 'mallory' }, ts: Date.now() }), hops: 0 });
  const joined = await evil.next('joined');
  expect(joined).toMatchObject({ room: '#town', after: 1 });
  await bob.event((e) => e.ev === 'join' && e.user === 'mallory@evil.test', 10_000);
  evil.send({ t: 'follow', home, room: '#town', after: joined.after });
}, 60_000);
afterAll(() => bed.cleanup());

describe('federation refuses what it cannot verify', () => {
  it('takes a valid submission once, however often it is replayed', async () => {
    const home = (await health(b)).federation.id;
    const s = signSubmission(evil.identity, submission({ home, sub: 1 }));
    evil.send({ t: 'submit', s, hops: 0 });
    const accepted = await evil.next('accepted');
    expect(accepted).toMatchObject({ sub: 1, seq: 2 });
    await bob.event((e) => e.ev === 'message' && e.text === 'hi from evil' && e.from === 'mallory@evil.test', 10_000);
    const events = await evil.next('events');
    expect(events.list.map((e) => e.e.seq)).toContain(2);
    evil.send({ t: 'submit', s, hops: 0 });
    expect(await evil.next('accepted')).toMatchObject({ sub: 1, seq: 2 });
    expect(await townCount()).toBe(2);
  });

  it('refuses an altered body, a user who is not in the room, and a submission signed for another server', async () => {
    const home = (await health(b)).federation.id;
    const altered = { ...signSubmission(evil.identity, submission({ home, sub: 2 })), text: 'altered after signing' };
    evil.send({ t: 'submit', s: altered, hops: 0 });
    expect(await evil.next('rejected', (f) => f.sub === 2)).toMatchObject({ code: 'FEDERATION_BAD_SIGNATURE' });
    evil.send({ t: 'submit', s: signSubmission(evil.identity, submission({ home, sub: 3, sender: 'nobody', name: 'nobody' })), hops: 0 });
    expect(await evil.next('rejected', (f) => f.sub === 3)).toMatchObject({ code: 'NOT_IN_ROOM' });
    // Claims to come from another server's user: only that server's key could sign it.
    const forged = { ...signSubmission(evil.identity, submission({ home, sub: 4 })), origin: other.id };
    evil.send({ t: 'submit', s: forged, hops: 0 });
    await logged(/forged submission dropped/);
    expect(await townCount()).toBe(2);
  });

  it('refuses a join signed by a server for another server\'s user', async () => {
    const home = (await health(b)).federation.id;
    const statement = { ...signMembership(evil.identity, 'join', { home, room: '#town', user: { id: 'x', name: 'victim' }, ts: Date.now() }), origin: other.id };
    evil.send({ t: 'join', rid: 2, ...statement, hops: 0 });
    await logged(/join refused/);
    expect(bob.events().some((e) => e.ev === 'join' && e.user.startsWith('victim'))).toBe(false);
  });

  it('drops frames past the hop limit and anything a denied server originated, whoever relays it', async () => {
    const home = (await health(b)).federation.id;
    evil.send({ t: 'submit', s: signSubmission(evil.identity, submission({ home: other.id, sub: 5 })), hops: 9 });
    await logged(/over the hop limit/);
    const fromDenied = signSubmission(denied, submission({ home, sub: 1, sender: 'd1', name: 'denied' }));
    evil.send({ t: 'submit', s: fromDenied, hops: 0 });
    evil.send({ t: 'ping' });
    await evil.next('pong');
    expect(evil.frames.some((f) => (f.t === 'accepted' || f.t === 'rejected') && f.origin === denied.id)).toBe(false);
    expect(await townCount()).toBe(2);
    await expect(FakePeer.link(b, { name: 'denied.test', identity: denied })).rejects.toThrow(/not allowed|FEDERATION_PEER_REFUSED|closed/);
  });

  it('refuses a link that claims a server id its key does not prove', async () => {
    // Its own handshake may finish (B's proof is good); B's check of its proof fails and B closes.
    const impostor = await FakePeer.link(b, { name: 'impostor.test', claimId: other.id }).catch((err: Error) => err);
    if (impostor instanceof FakePeer) await poll(async () => impostor.closedWith !== undefined, 'the impostor unlinked', 15_000);
    const why = impostor instanceof FakePeer ? impostor.closedWith : impostor.message;
    expect(why).toMatch(/does not verify|FEDERATION_BAD_SIGNATURE/);
    expect((await health(b)).federation.peers.some((p) => p.id === other.id)).toBe(false);
  });

  it('closes links that send malformed, unknown, mistyped, oversize or too many frames, and keeps serving', async () => {
    const cases: [string, (peer: FakePeer) => void, RegExp][] = [
      ['garbage', (p) => p.raw(lengthPrefix(new Uint8Array([0xc1, 0xc1, 0xc1]))), /FEDERATION_BAD_FRAME|closed/],
      ['unknown kind', (p) => p.raw(lengthPrefix(pack({ t: 'bogus' }))), /FEDERATION_BAD_FRAME|closed/],
      ['wrong types', (p) => p.raw(lengthPrefix(pack({ t: 'follow', home: 5, room: [], after: 'x' }))), /FEDERATION_BAD_FRAME|closed/],
      ['oversize', (p) => p.raw(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 1, 2, 3])), /FEDERATION_LIMIT|closed/],
      ['flood', (p) => { for (let i = 0; i < 2000; i++) p.send({ t: 'ping' }); }, /FEDERATION_LIMIT|closed/],
    ];
    for (const [what, act, expected] of cases) {
      const peer = await FakePeer.link(b, { name: `bad-${what.replace(' ', '-')}.test` });
      act(peer);
      await poll(async () => peer.closedWith !== undefined, `${what}: the link closed`, 15_000);
      expect(peer.closedWith, what).toMatch(expected);
    }
    await logged(/bad input, closing/);
    expect(okData<ReplyData['send']>(await bob.ok('send', { to: '#town', text: 'still here' })).sent[0]?.seq).toBe(3);
  });

  it('denies a home that signs two different events for one seq (equivocation), keeping the first', async () => {
    const bId = (await health(b)).federation.id;
    const joining = bob.request('join', { room: '#evil@evil.test' }, 15_000);
    const join = await evil.next('join');
    evil.send({ t: 'joined', rid: join.rid, origin: bId, home: evil.identity.id, room: '#evil', topic: '', after: 0, members: [], hops: 0 });
    const reply = await joining;
    expect(reply.ok).toBe(true);
    await evil.next('follow', (f) => f.room === '#evil');
    const made = (text: string) => sealSubmission(evil.identity, signSubmission(evil.identity, { sub: 100, home: evil.identity.id, room: '#evil', sender: 'e1', name: 'eve', text, ts: Date.now() }), { seq: 1, prev: '' });
    evil.send({ t: 'events', list: [made('the truth')] });
    await bob.event((e) => e.ev === 'message' && e.text === 'the truth', 10_000);
    evil.send({ t: 'events', list: [made('a different story')] });
    await poll(async () => evil.closedWith !== undefined, 'the equivocating home unlinked', 15_000);
    expect(evil.closedWith).toMatch(/FEDERATION_PEER_REFUSED|equivocation|closed/);
    await logged(/equivocation/);
    const messages = await history(bob, '#evil@evil.test');
    expect(messages.map((m) => m.text)).toEqual(['the truth']);
    // Denied from now on: it cannot link again.
    await expect(FakePeer.link(b, { name: 'evil.test', identity: evil.identity })).rejects.toThrow(/not allowed|FEDERATION_PEER_REFUSED|closed/);
  });
});
