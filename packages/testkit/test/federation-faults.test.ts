import { afterEach, describe, expect, it } from 'vitest';
import type { ReplyData } from '@parley/protocol';
import { waitFor } from '../src/index.ts';
import { CuttableProxy } from './cuttable-proxy.ts';
import { address, bare, FederationTestbed, health, heard, history, okData, poll, reaches } from './federation-kit.ts';

const bed = new FederationTestbed();
const proxies: CuttableProxy[] = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) p.close();
  await bed.cleanup();
});

const line = (m: { seq: number; from: string; text: string }) => `${m.seq} ${bare(m.from)} ${m.text}`;

describe('federation faults', () => {
  it('a link cut for a while as both sides keep sending: the split heals with every message once, in the home\'s order', async () => {
    const a = await bed.server('a.test');
    const proxy = await CuttableProxy.to(a.fedPort!);
    proxies.push(proxy);
    const b = await bed.server('b.test', { peers: [`127.0.0.1:${proxy.port}`] });
    await reaches(b, 'a.test');
    const alice = await bed.user(a, 'alice');
    await alice.ok('join', { room: '#split' });
    const bob = await bed.user(b, 'bob');
    const joined = okData<ReplyData['join']>(await bob.ok('join', { room: '#split@a.test' }, 15_000));
    for (let i = 0; i < 5; i++) {
      await alice.ok('send', { to: '#split', text: `a-before-${i}` });
      await bob.ok('send', { to: '#split@a.test', text: `b-before-${i}`, cmid: `b-before-${i}` }, 15_000);
    }
    proxy.cut();
    await waitFor(async () => !(await health(b)).federation.peers.some((p) => p.linked), 'B saw the split', 60_000);
    const pending: number[] = [];
    for (let i = 0; i < 10; i++) {
      await alice.ok('send', { to: '#split', text: `a-during-${i}` });
      const sent = okData<ReplyData['send']>(await bob.ok('send', { to: '#split@a.test', text: `b-during-${i}`, cmid: `b-during-${i}` }, 15_000)).sent[0];
      if (sent?.pending) pending.push(i);
    }
    expect(pending).toHaveLength(10);
    // B's mirror stays readable during the split.
    expect((await history(bob, '#split@a.test')).length).toBe(10);
    proxy.heal();
    await poll(async () => (await history(alice, '#split')).length >= 30, 'the split healed at the home', 90_000);
    await poll(async () => (await history(bob, '#split@a.test')).length >= 30, 'B caught up', 60_000);
    const atHome = await history(alice, '#split');
    const atB = await history(bob, '#split@a.test');
    expect(atHome.map((m) => m.seq)).toEqual(atHome.map((_, i) => i + 1));
    expect(atB.map(line)).toEqual(atHome.filter((m) => m.seq > joined.lastSeq).map(line));
    expect(new Set(atHome.map((m) => m.text)).size).toBe(30);
    // Bob heard each of alice's 15 once; his own came back as the pending sends committed.
    const bobHeard = heard(bob, joined.conv).filter((l) => l.includes(' alice@a.test: '));
    expect(bobHeard).toHaveLength(15);
    expect(new Set(bobHeard).size).toBe(15);
  }, 240_000);

  it('the home restarted mid-burst: every send it acknowledged, or that waited as pending, commits once', async () => {
    const aDir = bed.dataDir();
    let a = await bed.server('a.test', { dir: aDir });
    const port = a.fedPort!;
    const b = await bed.server('b.test', { peers: [address(a)] });
    await reaches(b, 'a.test');
    const alice = await bed.user(a, 'alice');
    await alice.ok('join', { room: '#burst' });
    const bob = await bed.user(b, 'bob');
    await bob.ok('join', { room: '#burst@a.test' }, 15_000);
    const sends: Promise<unknown>[] = [];
    let restarted = false;
    for (let i = 0; i < 40; i++) {
      sends.push(bob.request('send', { to: '#burst@a.test', text: `b${i}`, cmid: `b${i}` }, 30_000));
      if (i === 15) {
        await bed.kill(a);
        a = await bed.server('a.test', { dir: aDir, listen: `127.0.0.1:${port}` });
        restarted = true;
      }
    }
    expect(restarted).toBe(true);
    const replies = await Promise.all(sends);
    expect(replies.every((r) => (r as { ok: boolean }).ok)).toBe(true);
    const alice2 = await bed.user(a, 'alice', 'login');
    await poll(async () => (await history(alice2, '#burst')).length >= 40, 'all 40 at the home', 90_000);
    const atHome = await history(alice2, '#burst');
    expect(atHome.map((m) => m.text).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `b${i}`).sort());
    expect(atHome.map((m) => m.seq)).toEqual(atHome.map((_, i) => i + 1));
    await poll(async () => (await history(bob, '#burst@a.test')).length >= 40, 'B holds all 40', 60_000);
    expect((await history(bob, '#burst@a.test')).map(line)).toEqual(atHome.map(line));
  }, 240_000);
});
