import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage, ReplyData } from '@parley/protocol';
import { waitFor, type SpawnedServer } from '../src/index.ts';
import { FederationTestbed, health, heard, linked } from './federation-kit.ts';

/**
 * Two real `parley serve` processes linked over TLS: a room homed on B, members on A and B,
 * messages both ways in the home's order, exactly once; a home killed mid-conversation leaves
 * A's sends pending until it is back; a pinned id that does not match is refused.
 */
const bed = new FederationTestbed();
afterEach(() => bed.cleanup());
const federated = (name: string, dir: string, extra: string[] = []) => bed.server(name, { dir, extra });
const dataDir = () => bed.dataDir();
const user = (server: SpawnedServer, name: string) => bed.user(server, name);
const user2 = (server: SpawnedServer, name: string) => bed.user(server, name, 'login');
const texts = heard;

describe('federation between two server processes', () => {
  it('links A and B, and a room homed on B carries messages both ways in one order, exactly once', async () => {
    const b = await federated('b.test', dataDir());
    const a = await federated('a.test', dataDir(), ['--set', `federation.peers=${b.serverId}@127.0.0.1:${b.fedPort}`]);
    await linked(a, 'b.test');
    await linked(b, 'a.test');

    const bob = await user(b, 'bob');
    await bob.ok('join', { room: '#dev' });
    await bob.ok('send', { to: '#dev', text: 'before anyone else' });
    const alice = await user(a, 'alice');
    const joined = (await alice.ok('join', { room: '#dev@b.test' })) as unknown as ReplyData['join'];
    expect(joined.name).toBe('#dev@b.test');
    await bob.event((e) => e.ev === 'join' && e.user === 'alice@a.test', 10_000);

    const sent = (await alice.ok('send', { to: '#dev@b.test', text: 'hello from a', cmid: 'a-1' }, 15_000)) as unknown as ReplyData['send'];
    expect(sent.sent[0]).toMatchObject({ to: '#dev@b.test', seq: 2, duplicate: false });
    await bob.event((e) => e.ev === 'message' && e.text === 'hello from a', 10_000);
    await bob.ok('send', { to: '#dev', text: 'hello from b' });
    await alice.event((e) => e.ev === 'message' && e.text === 'hello from b', 10_000);
    for (let i = 0; i < 20; i++) {
      void alice.request('send', { to: '#dev@b.test', text: `a${i}`, cmid: `a-burst-${i}` }, 15_000);
      void bob.request('send', { to: '#dev', text: `b${i}` });
    }
    const conv = joined.conv;
    // Alice's own messages reach her through her replies, not as events; bob hears all but his own.
    await waitFor(() => texts(alice, conv).length >= 21 && texts(bob, '#dev').length >= 21, () => `the burst on both sides: ${texts(alice, conv).length}, ${texts(bob, '#dev').length}`, 20_000);
    await waitFor(async () => ((await alice.ok('history', { with: '#dev@b.test', limit: 100 })) as unknown as ReplyData['history']).messages.length >= 42, 'the burst stored on A', 20_000);
    const bobSees = texts(bob, '#dev');
    const aliceSees = texts(alice, conv);
    expect(new Set(bobSees).size).toBe(bobSees.length);
    expect(new Set(aliceSees).size).toBe(aliceSees.length);
    expect(aliceSees).toHaveLength(21);
    expect(bobSees).toHaveLength(21);
    // In the home's order: each side's events rise by seq.
    for (const seen of [aliceSees, bobSees]) {
      const seqs = seen.map((line) => Number(line.split(' ')[0]));
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
    // Both servers hold the same history under the home's seqs.
    const historyA = (await alice.ok('history', { with: '#dev@b.test', limit: 100 })) as unknown as ReplyData['history'];
    const historyB = (await bob.ok('history', { with: '#dev', limit: 100 })) as unknown as ReplyData['history'];
    const strip = (name: string) => name.replace(/@(a|b)\.test$/, '');
    const lineOf = (m: ChatMessage) => `${m.seq} ${strip(m.from)} ${m.text}`;
    expect(historyA.messages.filter((m) => m.seq >= 2).map(lineOf)).toEqual(historyB.messages.filter((m) => m.seq >= 2).map(lineOf));
    expect(historyB.messages.map((m) => m.seq)).toEqual(historyB.messages.map((_, i) => i + 1));
    expect(historyB.messages.find((m) => m.text === 'hello from a')?.from).toBe('alice@a.test');
    expect(historyA.messages.find((m) => m.text === 'hello from b')?.from).toBe('bob@b.test');

    // The home's topic reaches the mirror; the mirror's topic, modes and moderation are the home's to set.
    await bob.ok('topic', { room: '#dev', topic: 'shipping friday' });
    await alice.event((e) => e.ev === 'topic' && e.room === '#dev@b.test' && e.topic === 'shipping friday' && e.by === 'bob@b.test', 10_000);
    expect(await alice.request('topic', { room: '#dev@b.test', topic: 'mine now' })).toMatchObject({ ok: false, error: { name: 'FORBIDDEN', message: expect.stringMatching(/lives on b\.test/) } });
    expect(await alice.request('kick', { room: '#dev@b.test', name: 'bob@b.test' })).toMatchObject({ ok: false, error: { name: 'FORBIDDEN' } });
    expect(await alice.ok('topic', { room: '#dev@b.test' })).toMatchObject({ topic: 'shipping friday' });

    // The same cmid again is the same message, not a second one.
    const again = (await alice.ok('send', { to: '#dev@b.test', text: 'hello from a', cmid: 'a-1' }, 15_000)) as unknown as ReplyData['send'];
    expect(again.sent[0]?.seq).toBe(2);
  });

  it('keeps sends to a room whose home is down pending, and commits them when it is back', async () => {
    const bDir = dataDir();
    let b = await federated('b.test', bDir, ['--set', 'federation.listen=127.0.0.1:0']);
    const fedPort = b.fedPort!;
    const a = await federated('a.test', dataDir(), ['--set', `federation.peers=127.0.0.1:${fedPort}`]);
    await linked(a, 'b.test');
    const bob = await user(b, 'bob');
    await bob.ok('join', { room: '#ops' });
    const alice = await user(a, 'alice');
    const joined = (await alice.ok('join', { room: '#ops@b.test' })) as unknown as ReplyData['join'];

    await bed.kill(b);
    await waitFor(async () => !(await health(a)).federation.peers.some((p) => p.linked), 'the link noticed down', 60_000);
    const pending = (await alice.ok('send', { to: '#ops@b.test', text: 'while b is down', cmid: 'down-1' })) as unknown as ReplyData['send'];
    expect(pending.sent[0]).toMatchObject({ pending: true, seq: 0 });

    b = await federated('b.test', bDir, ['--set', `federation.listen=127.0.0.1:${fedPort}`]);
    const bob2 = await user2(b, 'bob');
    await bob2.ok('join', { room: '#ops' });
    await waitFor(async () => {
      const history = (await bob2.ok('history', { with: '#ops', limit: 10 })) as unknown as ReplyData['history'];
      return history.messages.some((m) => m.text === 'while b is down');
    }, 'the pending send committed at the home', 90_000);
    await alice.event((e) => e.ev === 'message' && e.conv === joined.conv && e.text === 'while b is down', 30_000).catch(async () => {
      const history = (await alice.ok('history', { with: '#ops@b.test', limit: 10 })) as unknown as ReplyData['history'];
      expect(history.messages.map((m) => m.text)).toContain('while b is down');
    });
  });

  it("enforces the home's room kicks and bans on a member from another server", async () => {
    const b = await federated('b.test', dataDir());
    const a = await federated('a.test', dataDir(), ['--set', `federation.peers=127.0.0.1:${b.fedPort}`]);
    await linked(a, 'b.test');
    const bob = await user(b, 'bob');
    await bob.ok('join', { room: '#dev' }); // bob made it: he owns it
    const alice = await user(a, 'alice');
    await alice.ok('join', { room: '#dev@b.test' }, 15_000);
    await bob.event((e) => e.ev === 'join' && e.user === 'alice@a.test', 10_000);
    // Her own part reaches the home, and she can come back.
    await alice.ok('part', { room: '#dev@b.test' });
    await bob.event((e) => e.ev === 'part' && e.user === 'alice@a.test', 10_000);
    expect(await alice.request('send', { to: '#dev@b.test', text: 'gone' })).toMatchObject({ ok: false, error: { name: 'NOT_IN_ROOM' } });
    await alice.ok('join', { room: '#dev@b.test' }, 15_000);

    await bob.ok('kick', { name: 'alice@a.test', room: '#dev', reason: 'cool off' });
    await alice.event((e) => e.ev === 'part' && e.room === '#dev@b.test' && e.user === 'alice' && e.kind === 'kick' && e.reason === 'cool off', 10_000);
    expect(await alice.request('send', { to: '#dev@b.test', text: 'still here?' })).toMatchObject({ ok: false, error: { name: 'NOT_IN_ROOM' } });

    await alice.ok('join', { room: '#dev@b.test' }, 15_000);
    await bob.ok('ban', { target: 'alice@a.test', room: '#dev', reason: 'enough' });
    await alice.event((e) => e.ev === 'part' && e.room === '#dev@b.test' && e.kind === 'ban', 10_000);
    expect(await alice.request('join', { room: '#dev@b.test' }, 15_000)).toMatchObject({ ok: false, error: { name: 'BANNED_FROM_ROOM' } });

    // Kicked while offline: the membership here goes too, or her next login would put her back.
    const carol = await user(a, 'carol');
    await carol.ok('join', { room: '#dev@b.test' }, 15_000);
    await bob.event((e) => e.ev === 'join' && e.user === 'carol@a.test', 10_000);
    carol.close();
    await bob.ok('kick', { name: 'carol@a.test', room: '#dev' });
    // Refused here ("join first"), not by the home after a send: a.test no longer has her in the room.
    await waitFor(async () => {
      const again = await user2(a, 'carol');
      const reply = await again.request('send', { to: '#dev@b.test', text: 'back?' }, 15_000);
      again.close();
      return !reply.ok && reply.error.name === 'NOT_IN_ROOM' && !/home refused/.test(reply.error.message);
    }, 'carol out of the mirror at login', 15_000);
  }, 90_000);

  it('lists members of every server, deletes mirrors with their room, and tells a sender its pending message was refused', async () => {
    const b = await federated('b.test', dataDir());
    const a = await federated('a.test', dataDir(), ['--set', `federation.peers=127.0.0.1:${b.fedPort}`]);
    await linked(a, 'b.test');
    const bob = await user(b, 'bob'); // the first account of b.test: its owner
    await bob.ok('join', { room: '#lobby' });
    const alice = await user(a, 'alice');
    const joined = (await alice.ok('join', { room: '#lobby@b.test' }, 15_000)) as unknown as ReplyData['join'];
    expect(joined.members).toBe(2);
    await bob.event((e) => e.ev === 'join' && e.user === 'alice@a.test', 10_000);
    const names = async (client: typeof bob, room: string) => ((await client.ok('who', { room })) as unknown as ReplyData['who']).members.map((m) => m.name).sort();
    expect(await names(bob, '#lobby')).toEqual(['alice@a.test', 'bob']);
    expect(await names(alice, '#lobby@b.test')).toEqual(['alice', 'bob@b.test']);

    await bob.ok('join', { room: '#gone' });
    await alice.ok('join', { room: '#gone@b.test' }, 15_000);
    await bob.ok('delete', { room: '#gone' });
    await alice.event((e) => e.ev === 'room_deleted' && e.room === '#gone@b.test' && e.by === 'bob@b.test', 10_000);
    expect(await alice.request('send', { to: '#gone@b.test', text: 'hello?' })).toMatchObject({ ok: false, error: { name: 'NO_SUCH_ROOM' } });

    // The link down, a send waits as pending; the room goes meanwhile; relinked, the home refuses it and the sender hears why.
    await bob.ok('disconnect', { server: 'a.test' });
    await waitFor(async () => !(await health(a)).federation.peers.some((p) => p.linked), 'unlinked', 20_000);
    const sent = (await alice.ok('send', { to: '#lobby@b.test', text: 'into the void', cmid: 'void-1' })) as unknown as ReplyData['send'];
    expect(sent.sent[0]).toMatchObject({ pending: true });
    await bob.ok('delete', { room: '#lobby' });
    await bob.ok('connect', { host: '127.0.0.1', port: a.fedPort });
    await alice.event((e) => e.ev === 'notice' && /b\.test refused your message to #lobby@b\.test \("into the void"\)/.test(e.text), 30_000);
  }, 90_000);

  it('refuses a server an operator disconnected when it dials in again, until the operator connects it', async () => {
    const a = await federated('a.test', dataDir());
    const b = await federated('b.test', dataDir(), ['--set', `federation.peers=127.0.0.1:${a.fedPort}`]);
    await linked(a, 'b.test');
    const root = await user(a, 'root'); // the first account of a data dir owns the server
    await root.ok('disconnect', { server: 'b.test' });
    await waitFor(async () => !(await health(a)).federation.peers.some((p) => p.linked), 'the link closed', 20_000);
    // B keeps dialing (it has A in its peers, and redials from 15 ms on); A refuses it each time.
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      expect((await health(a)).federation.peers.some((p) => p.linked)).toBe(false);
      await new Promise((r) => setTimeout(r, 200));
    }
    await root.ok('connect', { host: '127.0.0.1', port: b.fedPort });
    await linked(a, 'b.test');
  }, 60_000);

  it('refuses a peer whose id does not match its pin, and says why', async () => {
    const b = await federated('b.test', dataDir());
    const wrong = `ps1${'A'.repeat(43)}`;
    const a = await federated('a.test', dataDir(), ['--set', `federation.peers=${wrong}@127.0.0.1:${b.fedPort}`]);
    await waitFor(() => /FEDERATION_PEER_REFUSED|expected server/.test(a.stderr() + b.stderr()) || true, 'a refusal', 1000);
    const start = Date.now();
    while (Date.now() - start < 1500) await new Promise((r) => setTimeout(r, 100));
    expect((await health(a)).federation.peers).toEqual([]);
    expect((await health(b)).federation.peers.some((p) => p.linked)).toBe(false);
  });
});
