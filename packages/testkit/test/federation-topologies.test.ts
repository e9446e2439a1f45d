import { afterEach, describe, expect, it } from 'vitest';
import type { ReplyData } from '@parley/protocol';
import { waitFor } from '../src/index.ts';
import { address, bare, FederationTestbed, heard, history, okData, poll, reaches } from './federation-kit.ts';

/**
 * Three real servers. Invariants checked after each scenario: every acknowledged message is on
 * every server, once, in the home's order (equal histories by seq), and each member heard each
 * message of the others exactly once.
 */
const bed = new FederationTestbed();
afterEach(() => bed.cleanup());

const line = (m: { seq: number; from: string; text: string }) => `${m.seq} ${bare(m.from)} ${m.text}`;

describe('federation topologies', () => {
  it('a line A-B-C: C, which only dials out, reaches a room homed on A through B; B is killed and restarted mid-traffic', async () => {
    const bDir = bed.dataDir();
    const a = await bed.server('a.test');
    let b = await bed.server('b.test', { dir: bDir, peers: [address(a)] });
    const bPort = b.fedPort!;
    const c = await bed.server('c.test', { peers: [address(b)], listen: '' });
    await reaches(c, 'a.test');
    await reaches(a, 'c.test');

    const alice = await bed.user(a, 'alice');
    await alice.ok('join', { room: '#dev' });
    const carol = await bed.user(c, 'carol');
    const joined = okData<ReplyData['join']>(await carol.ok('join', { room: '#dev@a.test' }, 15_000));
    await alice.event((e) => e.ev === 'join' && e.user === 'carol@c.test', 10_000);
    const conv = joined.conv;

    for (let i = 0; i < 10; i++) {
      await alice.ok('send', { to: '#dev', text: `a${i}` });
      expect(okData<ReplyData['send']>(await carol.ok('send', { to: '#dev@a.test', text: `c${i}`, cmid: `c-${i}` }, 15_000)).sent[0]?.pending).toBeUndefined();
    }
    await waitFor(() => heard(carol, conv).length >= 10 && heard(alice, '#dev').length >= 10, 'the first round on both ends', 20_000);

    // The middle server dies: carol's sends wait as pending; alice's commit at home.
    await bed.kill(b);
    const pending: string[] = [];
    for (let i = 0; i < 5; i++) {
      await alice.ok('send', { to: '#dev', text: `a-split-${i}` });
      const sent = okData<ReplyData['send']>(await carol.ok('send', { to: '#dev@a.test', text: `c-split-${i}`, cmid: `c-split-${i}` }, 15_000)).sent[0];
      if (sent?.pending) pending.push(`c-split-${i}`);
    }
    expect(pending.length).toBeGreaterThan(0);
    b = await bed.server('b.test', { dir: bDir, peers: [address(a)], listen: `127.0.0.1:${bPort}` });

    await poll(async () => (await history(alice, '#dev')).length >= 30, 'every send committed at the home', 60_000);
    await poll(async () => (await history(carol, '#dev@a.test')).length >= 30, 'C caught up through the restarted B', 60_000);
    const atHome = await history(alice, '#dev');
    const atC = await history(carol, '#dev@a.test');
    expect(atHome.map((m) => m.seq)).toEqual(atHome.map((_, i) => i + 1));
    expect(atC.map(line)).toEqual(atHome.filter((m) => m.seq > joined.lastSeq).map(line));
    expect(new Set(atHome.map((m) => m.text)).size).toBe(atHome.length);
    // Each heard the other's messages once each, in the home's order.
    const carolHeard = heard(carol, conv);
    expect(new Set(carolHeard).size).toBe(carolHeard.length);
    const seqs = carolHeard.map((l) => Number(l.split(' ')[0]));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  }, 180_000);

  it('a ring A-B-C-A: with two paths to the home, every member still gets every message once', async () => {
    const a = await bed.server('a.test');
    const b = await bed.server('b.test', { peers: [address(a)] });
    const c = await bed.server('c.test', { peers: [address(a), address(b)] });
    await reaches(b, 'c.test');
    await reaches(c, 'a.test');
    const alice = await bed.user(a, 'alice');
    await alice.ok('join', { room: '#ring' });
    const bob = await bed.user(b, 'bob');
    const carol = await bed.user(c, 'carol');
    const bj = okData<ReplyData['join']>(await bob.ok('join', { room: '#ring@a.test' }, 15_000));
    const cj = okData<ReplyData['join']>(await carol.ok('join', { room: '#ring@a.test' }, 15_000));
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 15; i++) {
      sends.push(alice.request('send', { to: '#ring', text: `a${i}` }), bob.request('send', { to: '#ring@a.test', text: `b${i}`, cmid: `b${i}` }, 15_000), carol.request('send', { to: '#ring@a.test', text: `c${i}`, cmid: `c${i}` }, 15_000));
    }
    await Promise.all(sends);
    await waitFor(() => heard(bob, bj.conv).length >= 30 && heard(carol, cj.conv).length >= 30 && heard(alice, '#ring').length >= 30, () => `everyone heard the others: ${heard(alice, '#ring').length} ${heard(bob, bj.conv).length} ${heard(carol, cj.conv).length}`, 30_000);
    for (const [client, conv] of [[alice, '#ring'], [bob, bj.conv], [carol, cj.conv]] as const) {
      const got = heard(client, conv);
      expect(got).toHaveLength(30);
      expect(new Set(got).size).toBe(30);
    }
    const atHome = await history(alice, '#ring');
    await poll(async () => (await history(bob, '#ring@a.test')).length >= 45 && (await history(carol, '#ring@a.test')).length >= 45, 'every server holds all 45', 20_000);
    expect((await history(bob, '#ring@a.test')).map(line)).toEqual(atHome.filter((m) => m.seq > bj.lastSeq).map(line));
    expect((await history(carol, '#ring@a.test')).map(line)).toEqual(atHome.filter((m) => m.seq > cj.lastSeq).map(line));
  }, 120_000);

  it('a star: a room homed on a leaf reaches the other leaves through the hub, each message once', async () => {
    const hub = await bed.server('hub.test');
    const leaves = await Promise.all(['a.test', 'b.test', 'c.test'].map((name) => bed.server(name, { peers: [address(hub)] })));
    for (const leaf of leaves.slice(1)) await reaches(leaf, 'a.test');
    const [a, b, c] = leaves as [typeof hub, typeof hub, typeof hub];
    const alice = await bed.user(a, 'alice');
    await alice.ok('join', { room: '#star' });
    const bob = await bed.user(b, 'bob');
    const carol = await bed.user(c, 'carol');
    const bj = okData<ReplyData['join']>(await bob.ok('join', { room: '#star@a.test' }, 15_000));
    const cj = okData<ReplyData['join']>(await carol.ok('join', { room: '#star@a.test' }, 15_000));
    for (let i = 0; i < 5; i++) {
      await alice.ok('send', { to: '#star', text: `a${i}` });
      await bob.ok('send', { to: '#star@a.test', text: `b${i}`, cmid: `b${i}` }, 15_000);
      await carol.ok('send', { to: '#star@a.test', text: `c${i}`, cmid: `c${i}` }, 15_000);
    }
    await waitFor(() => heard(bob, bj.conv).length >= 10 && heard(carol, cj.conv).length >= 10 && heard(alice, '#star').length >= 10, 'everyone heard the others', 20_000);
    for (const [client, conv] of [[alice, '#star'], [bob, bj.conv], [carol, cj.conv]] as const) {
      const got = heard(client, conv);
      expect(got).toHaveLength(10);
      expect(new Set(got).size).toBe(10);
    }
    const atHome = await history(alice, '#star');
    expect((await history(carol, '#star@a.test')).map(line)).toEqual(atHome.filter((m) => m.seq > cj.lastSeq).map(line));
  }, 120_000);
});
