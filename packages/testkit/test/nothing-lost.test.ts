import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { OkReply, Reply, ReplyData, ServerEvent } from '@parley/protocol';
import { FrameClient, startTestServer, type TestServer, waitFor } from '../src/index.ts';

/** Delivery guarantees: gapless sequences, idempotent sends, resume, offline delivery, restarts. */
type Msg = Extract<ServerEvent, { ev: 'message' }>;
type Login = { cmd: 'guest' | 'login' | 'register'; [key: string]: unknown };
const SETTINGS = { limits: { messages_per_minute: 60_000, message_burst: 10_000 } };
const PW = 'nothing-lost-pw';

const servers: TestServer[] = [];
const dataDirs = new Set<string>();
const clients: FrameClient[] = [];
let server: TestServer;

async function start(dataDir?: string): Promise<TestServer> {
  server = await startTestServer(dataDir === undefined ? SETTINGS : { ...SETTINGS, data_dir: dataDir });
  servers.push(server);
  dataDirs.add(server.dataDir);
  return server;
}
async function open(login?: Login | false, transport: 'tls' | 'ws' = 'tls'): Promise<FrameClient> {
  const port = transport === 'tls' ? server.tlsPort : server.httpPort;
  const client = await FrameClient.open({ transport, codec: transport === 'tls' ? 'json' : 'msgpack', port }, login);
  clients.push(client);
  return client;
}
const account = (name: string, cmd: 'register' | 'login' = 'register') => open({ cmd, name, password: PW });
const guest = (name: string) => open({ cmd: 'guest', name });
/**
 * Replies may queue behind hundreds of stored sends on a busy two-core machine: a send reply once
 * took over the default 5 s there. The test's own budget still bounds the whole run.
 */
const REPLY_MS = 20_000;
const call = async <V extends keyof ReplyData>(c: FrameClient, cmd: V, args: Record<string, unknown> = {}) => (await c.ok(cmd, args, REPLY_MS)) as unknown as ReplyData[V];
/** `body` is the text, or the text with a client message id. */
const send = async (c: FrameClient, to: string | string[], body: string | { text: string; cmid: string }) =>
  (await call(c, 'send', { to, ...(typeof body === 'string' ? { text: body } : body) })).sent;
const messages = (c: FrameClient, conv?: string): Msg[] =>
  c.events().filter((e): e is Msg => e.ev === 'message' && (conv === undefined || e.conv === conv));
const settle = (...cs: FrameClient[]) => Promise.all(cs.map((c) => c.ok('ping', {}, REPLY_MS)));
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
const until = (check: () => boolean, what: string) => waitFor(check, what);
async function fullHistory(c: FrameClient, target: string): Promise<ReplyData['history']['messages']> {
  const all: ReplyData['history']['messages'] = [];
  for (;;) {
    const page = (await call(c, 'history', { with: target, after: all.at(-1)?.seq ?? 0, limit: 200 })).messages;
    if (page.length === 0) return all;
    all.push(...page);
  }
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const s of servers.splice(0)) await s.stop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  dataDirs.clear();
});

describe('nothing lost, nothing doubled', () => {
  it('numbers every conversation 1, 2, 3 … with no gaps, under concurrent senders', async () => {
    await start();
    const [alice, bob, carol] = [await guest('alice'), await guest('bob'), await guest('carol')];
    const peer = { alice: 'bob', bob: 'alice', carol: 'alice' };
    const sends = Object.entries({ alice, bob, carol }).flatMap(([name, c]) =>
      range(1, 20).flatMap((i) =>
        ['#general', peer[name as keyof typeof peer], 'ALL'].map((to) => send(c, to, `${name} ${to} ${i}`).then(([r]) => ({ name, ...r! }))),
      ),
    );
    const receipts = await Promise.all(sends);
    const byConv = new Map<string, number[]>();
    for (const r of receipts) byConv.set(r.conv, [...(byConv.get(r.conv) ?? []), r.seq]);
    const dmBob = receipts.find((r) => r.to === 'bob')!.conv;
    const dmCarol = receipts.find((r) => r.name === 'carol' && r.to === 'alice')!.conv;
    const target: Record<string, string> = { '#general': '#general', all: 'ALL', [dmBob]: 'bob', [dmCarol]: 'carol' };
    expect([...byConv.keys()].sort()).toEqual(Object.keys(target).sort());
    for (const [conv, seqs] of byConv) {
      expect(seqs.sort((a, b) => a - b)).toEqual(range(1, seqs.length));
      expect((await fullHistory(alice, target[conv]!)).map((m) => m.seq)).toEqual(range(1, seqs.length));
    }
    expect(byConv.get(dmBob)).toHaveLength(40);
    await settle(alice, bob, carol);
    // What bob received plus what he sent is every seq of #general, received in increasing order.
    const seen = messages(bob, '#general').map((m) => m.seq);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const own = receipts.filter((r) => r.name === 'bob' && r.conv === '#general').map((r) => r.seq);
    expect([...seen, ...own].sort((a, b) => a - b)).toEqual(range(1, 60));
  });

  it('stores a retried send with the same cmid once: same seq, duplicate: true, delivered and listed once', async () => {
    await start();
    const alice = await account('alice');
    const [bob, carol] = [await guest('bob'), await guest('carol')];
    expect(await send(alice, '#general', { text: 'once', cmid: 'c-1' })).toEqual([{ to: '#general', conv: '#general', seq: 1, duplicate: false }]);
    expect(await send(alice, '#general', { text: 'once', cmid: 'c-1' })).toEqual([{ to: '#general', conv: '#general', seq: 1, duplicate: true }]);
    // Pipelined retries (same batch) are deduplicated too.
    const [p1, p2] = await Promise.all([send(alice, '#general', { text: 'twice', cmid: 'c-2' }), send(alice, '#general', { text: 'twice', cmid: 'c-2' })]);
    expect([p1[0]!.seq, p2[0]!.seq]).toEqual([2, 2]);
    expect([p1[0]!.duplicate, p2[0]!.duplicate].sort()).toEqual([false, true]);
    const dm = await send(alice, ['bob', 'carol'], { text: 'to both', cmid: 'm-1' });
    expect((await send(alice, ['bob', 'carol'], { text: 'to both', cmid: 'm-1' })).map((r) => [r.to, r.seq, r.duplicate])).toEqual([
      ['bob', dm[0]!.seq, true],
      ['carol', dm[1]!.seq, true],
    ]);
    // The realistic retry: the connection dropped before the reply; the account reconnects and resends.
    alice.close();
    const again = await account('alice', 'login');
    expect(await send(again, '#general', { text: 'once', cmid: 'c-1' })).toEqual([{ to: '#general', conv: '#general', seq: 1, duplicate: true }]);
    expect(await send(again, '#general', { text: 'new', cmid: 'c-3' })).toEqual([{ to: '#general', conv: '#general', seq: 3, duplicate: false }]);
    await settle(bob, carol);
    expect(messages(bob).map((m) => [m.conv === '#general' ? 'room' : 'dm', m.seq, m.text, m.cmid])).toEqual([
      ['room', 1, 'once', 'c-1'],
      ['room', 2, 'twice', 'c-2'],
      ['dm', 1, 'to both', 'm-1'],
      ['room', 3, 'new', 'c-3'],
    ]);
    expect(messages(carol).filter((m) => m.text === 'to both')).toHaveLength(1);
    expect((await fullHistory(bob, '#general')).map((m) => m.text)).toEqual(['once', 'twice', 'new']);
    expect((await fullHistory(bob, 'alice')).map((m) => m.text)).toEqual(['to both']);
  });

  it('resume replays exactly the missed room and DM messages, in order, once, while live messages arrive', async () => {
    await start();
    const alice = await account('alice');
    const [bob, carol] = [await guest('bob'), await guest('carol')];
    for (const c of [alice, bob, carol]) await call(c, 'join', { room: '#r' });
    for (let i = 1; i <= 5; i++) await send(bob, '#r', `seen ${i}`);
    const dm = (await send(bob, 'alice', 'dm seen 1'))[0]!.conv;
    await send(bob, 'alice', 'dm seen 2');
    await settle(alice);
    expect(messages(alice).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 1, 2]);
    alice.close();
    await bob.event((e) => e.ev === 'presence' && e.user === 'alice' && e.status === 'offline');
    await Promise.all(range(1, 600).map((i) => send(bob, '#r', `missed ${i}`)));
    for (let i = 1; i <= 10; i++) await send(bob, 'alice', `dm missed ${i}`);
    // Live traffic all along: carol keeps sending, a few at a time, while alice logs back in and resumes.
    let stopLive = false;
    const live = (async () => {
      while (!stopLive) await Promise.all(range(1, 4).map(() => send(carol, '#r', 'live')));
    })();
    live.catch(() => undefined); // awaited below; this only keeps a failed test from also reporting an unhandled rejection
    const back = await FrameClient.connect({ transport: 'ws', codec: 'msgpack', port: server.httpPort });
    clients.push(back);
    // hello, login and resume pipelined, as a reconnecting client does.
    back.sendFrame({ cmd: 'hello', v: 1, id: 'h' });
    back.sendFrame({ cmd: 'login', name: 'alice', password: PW, id: 'l' });
    back.sendFrame({ cmd: 'resume', cursors: { '#r': 5, [dm]: 2 }, id: 'r' });
    await until(() => back.frames.some((f) => 're' in f && f.re === 'r'), 'the resume reply');
    for (let i = 0; i < 5; i++) await send(carol, '#r', 'live after');
    stopLive = true;
    await live;
    await settle(back);
    const replies = back.frames.filter((f): f is Reply => 're' in f);
    expect(replies.map((f) => [f.re, f.ok])).toEqual([['h', true], ['l', true], ['r', true], [expect.any(Number), true]]);
    expect((replies[2] as OkReply<ReplyData['resume']>).data).toMatchObject({ more: [], refused: [] });
    const lastRoom = (await call(bob, 'history', { with: '#r', limit: 1 })).messages[0]!.seq;
    expect(lastRoom).toBeGreaterThan(605 + 5);
    expect(messages(back, '#r').map((m) => m.seq)).toEqual(range(6, lastRoom));
    expect(messages(back, dm).map((m) => m.seq)).toEqual(range(3, 12));
    expect(messages(back, dm).map((m) => m.text)).toEqual(range(1, 10).map((i) => `dm missed ${i}`));
  }, 60_000);

  it('resume replays what was missed even when a live message arrived between login and resume', async () => {
    await start();
    const alice = await account('alice');
    const bob = await guest('bob');
    for (const c of [alice, bob]) await call(c, 'join', { room: '#r' });
    for (let i = 1; i <= 3; i++) await send(bob, '#r', `seen ${i}`);
    await settle(alice);
    alice.close();
    await bob.event((e) => e.ev === 'presence' && e.user === 'alice' && e.status === 'offline');
    for (let i = 1; i <= 4; i++) await send(bob, '#r', `missed ${i}`);
    // The client logs in, is back in #r (stored membership) and hears a live message before it resumes.
    const back = await account('alice', 'login');
    await send(bob, '#r', 'live');
    await back.event((e) => e.ev === 'message' && e.text === 'live');
    await call(back, 'resume', { cursors: { '#r': 3 } });
    await settle(back);
    // Every message after the client's cursor, exactly once (missed 4..7 and the live 8).
    expect(messages(back, '#r').map((m) => m.seq).sort((a, b) => a - b)).toEqual(range(4, 8));
  });

  it('resume refuses conversations the user cannot read', async () => {
    await start();
    const [alice, bob, carol] = [await guest('alice'), await guest('bob'), await guest('carol')];
    await call(bob, 'join', { room: '#secret' });
    await call(alice, 'join', { room: '#open' });
    await call(bob, 'join', { room: '#open' });
    await send(bob, '#secret', 'secret 1');
    await send(bob, '#open', 'open 1');
    await send(bob, 'ALL', 'to all');
    const bobCarol = (await send(bob, 'carol', 'private'))[0]!.conv;
    await settle(alice, carol);
    const before = messages(alice).length;
    const cursors = { '#secret': 0, [bobCarol]: 0, '#nowhere': 0, 'dm:x:y': 0, '#open': 0, all: 0 };
    const result = await call(alice, 'resume', { cursors });
    expect(result.refused.sort()).toEqual(['#nowhere', '#secret', bobCarol, 'dm:x:y'].sort());
    await settle(alice);
    // Nothing from unreadable conversations; #open and ALL were already delivered live, so nothing is repeated.
    expect(messages(alice).length).toBe(before);
    expect(messages(alice).map((m) => m.text).sort()).toEqual(['open 1', 'to all']);
    expect(result.replayed).toBe(0);
  });

  it('delivers DMs sent to an offline account at its next login, exactly once', async () => {
    await start();
    const alice = await account('alice');
    const [bob, carol] = [await guest('bob'), await guest('carol')];
    alice.close();
    await bob.event((e) => e.ev === 'presence' && e.user === 'alice' && e.status === 'offline');
    for (let i = 1; i <= 3; i++) await send(bob, 'alice', `from bob ${i}`);
    await send(carol, 'Alice', 'from carol');
    await send(bob, 'alice', 'from bob 4');
    const back = await account('alice', 'login');
    await back.event((e) => e.ev === 'message' && e.text === 'from bob 4');
    await settle(back);
    expect(messages(back).map((m) => [m.from, m.to, m.seq, m.text])).toEqual([
      ['bob', 'alice', 1, 'from bob 1'],
      ['bob', 'alice', 2, 'from bob 2'],
      ['bob', 'alice', 3, 'from bob 3'],
      ['carol', 'alice', 1, 'from carol'],
      ['bob', 'alice', 4, 'from bob 4'],
    ]);
    const second = await account('alice', 'login');
    back.close();
    const third = await account('alice', 'login');
    await settle(second, third);
    expect(messages(second)).toEqual([]);
    expect(messages(third)).toEqual([]);
    expect((await fullHistory(third, 'bob')).map((m) => m.text)).toEqual(range(1, 4).map((i) => `from bob ${i}`));
  });

  it('keeps accounts, rooms, memberships, history and sequence numbers across a restart', async () => {
    const first = await start();
    const alice = await account('alice');
    const bob = await account('bob');
    const carol = await account('carol');
    (await account('dave')).close();
    await call(alice, 'create', { room: '#keep', topic: 'kept topic' });
    for (const c of [bob, carol]) await call(c, 'join', { room: '#keep' });
    await call(carol, 'part', { room: '#keep' });
    const guestRoom = await guest('gus');
    await call(guestRoom, 'create', { room: '#guests' });
    for (let i = 1; i <= 3; i++) await send(alice, '#keep', `alice ${i}`);
    for (let i = 1; i <= 2; i++) await send(bob, '#keep', `bob ${i}`);
    const dm = (await send(alice, 'bob', 'dm 1'))[0]!.conv;
    await send(bob, 'alice', 'dm 2');
    await send(bob, 'dave', 'while you were out');
    for (const c of clients.splice(0)) c.close();
    await first.stop();

    await start(first.dataDir);
    const alice2 = await account('alice', 'login');
    const login = await call(await open(false), 'login', { name: 'bob', password: PW });
    expect(login.rooms.map((r) => r.name).sort()).toEqual(['#general', '#keep']);
    const carol2 = await open(false);
    expect((await call(carol2, 'login', { name: 'carol', password: PW })).rooms.map((r) => r.name)).toEqual(['#general']);
    expect(await call(alice2, 'topic', { room: '#keep' })).toEqual({ room: '#keep', topic: 'kept topic' });
    // #guests closed when gus, its creator and last member, disconnected (guests' rooms do).
    expect((await call(alice2, 'rooms')).rooms.map((r) => r.name)).toEqual(['#general', '#keep']);
    expect((await call(alice2, 'who', { room: '#keep' })).members.map((m) => m.name).sort()).toEqual(['alice', 'bob']);
    const history = await fullHistory(alice2, '#keep');
    expect(history.map((m) => [m.seq, m.from, m.text])).toEqual([
      [1, 'alice', 'alice 1'], [2, 'alice', 'alice 2'], [3, 'alice', 'alice 3'], [4, 'bob', 'bob 1'], [5, 'bob', 'bob 2'],
    ]);
    expect((await call(alice2, 'join', { room: '#keep' })).lastSeq).toBe(5);
    expect(await send(alice2, '#keep', 'after restart')).toEqual([{ to: '#keep', conv: '#keep', seq: 6, duplicate: false }]);
    expect(await send(alice2, 'bob', 'dm 3')).toEqual([{ to: 'bob', conv: dm, seq: 3, duplicate: false }]);
    expect((await fullHistory(alice2, 'bob')).map((m) => m.text)).toEqual(['dm 1', 'dm 2', 'dm 3']);
    // An offline DM queued before the restart is delivered at the next login, once.
    const dave = await account('dave', 'login');
    expect(await dave.event((e) => e.ev === 'message')).toMatchObject({ from: 'bob', to: 'dave', seq: 1, text: 'while you were out' });
    await settle(dave);
    expect(messages(dave)).toHaveLength(1);
    const newcomer = await open(false);
    expect((await newcomer.request('register', { name: 'ALICE', password: PW })).ok).toBe(false);
    expect((await newcomer.request('login', { name: 'alice', password: 'wrong-password' })).ok).toBe(false);
  });
});
