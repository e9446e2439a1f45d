import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage, ReplyData, ServerEvent } from '@parley/protocol';
import { FrameClient, startTestServer, type TestServer, waitFor } from '../src/index.ts';

/** The structured protocol, verb by verb, over every transport and codec: same behaviour everywhere. */
type Msg = Extract<ServerEvent, { ev: 'message' }>;
type Login = { cmd: 'guest' | 'login' | 'register'; [key: string]: unknown };
const COMBOS = (['tls', 'tcp', 'ws'] as const).flatMap((transport) => (['json', 'msgpack'] as const).map((codec) => ({ transport, codec })));
const LIMITS = { messages_per_minute: 60_000, message_burst: 10_000 };
const PW = 'correct horse battery';

const messages = (c: FrameClient): Msg[] => c.events().filter((e): e is Msg => e.ev === 'message');
const evs = (c: FrameClient, ev: ServerEvent['ev']) => c.events().filter((e) => e.ev === ev);
const settle = (...cs: FrameClient[]) => Promise.all(cs.map((c) => c.ok('ping')));
const call = async <V extends keyof ReplyData>(c: FrameClient, cmd: V, args: Record<string, unknown> = {}) => (await c.ok(cmd, args)) as unknown as ReplyData[V];
async function fails(c: FrameClient, cmd: string, args: Record<string, unknown> = {}): Promise<string> {
  const reply = await c.request(cmd, args);
  return reply.ok ? `OK ${JSON.stringify(reply.data)}` : reply.error.name;
}
const until = (check: () => Promise<boolean>, what: string) => waitFor(check, what, 5000);
const increasing = (seqs: number[]) => seqs.every((s, i) => i === 0 || s > seqs[i - 1]!);

let server: TestServer;
const clients: FrameClient[] = [];
const keep = (client: FrameClient) => (clients.push(client), client);
beforeEach(async () => {
  server = await startTestServer({ limits: LIMITS });
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server.stop({ removeData: true });
});

describe.each(COMBOS)('structured protocol over $transport + $codec', ({ transport, codec }) => {
  const port = () => (transport === 'tls' ? server.tlsPort : transport === 'tcp' ? server.tcpPort : server.httpPort);
  const open = async (login?: Login | false) => keep(await FrameClient.open({ transport, codec, port: port() }, login));
  const guest = (name: string) => open({ cmd: 'guest', name });

  it('answers hello with server, version, protocol 1 and limits; refuses other versions and commands before hello', async () => {
    const early = keep(await FrameClient.connect({ transport, codec, port: port() }));
    expect(await fails(early, 'guest')).toBe('HELLO_REQUIRED');
    expect(await call(early, 'hello', { v: 1, client: 'vitest' })).toEqual({
      ...{ server: 'parley', version: expect.stringMatching(/^\d+\.\d+\.\d+/), protocol: 1, motd: '' },
      limits: { maxFrameBytes: 65536, maxTextBytes: 16384, maxRecipients: 20, messagesPerMinute: 60_000, messageBurst: 10_000 },
    });
    const wrong = keep(await FrameClient.connect({ transport, codec, port: port() }));
    expect(await fails(wrong, 'hello', { v: 2 })).toBe('UNSUPPORTED_VERSION');
    await wrong.waitClosed();
  });

  it('logs guests in with automatic guest0001-style names or a chosen name', async () => {
    expect(await call(await open(false), 'guest')).toEqual({ name: 'guest0001', id: expect.stringMatching(/^g/), kind: 'guest', rooms: [{ name: '#general', topic: '', members: 1 }] });
    expect((await call(await open(false), 'guest', {})).name).toBe('guest0002');
    const chosen = await open(false);
    expect(await fails(chosen, 'guest', { name: 'guest0042' })).toBe('NAME_INVALID');
    expect(await fails(chosen, 'guest', { name: '9lives' })).toBe('NAME_INVALID');
    expect(await call(chosen, 'guest', { name: 'Zoë' })).toMatchObject({ name: 'Zoë', kind: 'guest' });
    expect(await fails(chosen, 'guest', { name: 'again' })).toBe('ALREADY_LOGGED_IN');
  });

  it('registers an account and logs in to it from another connection', async () => {
    const reg = await open(false);
    expect(await fails(reg, 'register', { name: 'alice', password: 'short' })).toBe('PASSWORD_INVALID');
    const general = [{ name: '#general', topic: '', members: 1 }];
    expect(await call(reg, 'register', { name: 'Alice', password: PW })).toEqual({ name: 'Alice', id: expect.stringMatching(/^a\d+$/), kind: 'account', rooms: general });
    const other = await open(false);
    expect(await fails(other, 'login', { name: 'alice', password: 'wrong password' })).toBe('BAD_CREDENTIALS');
    expect(await fails(other, 'login', { name: 'nobody-here', password: PW })).toBe('BAD_CREDENTIALS');
    expect(await call(other, 'login', { name: 'ALICE', password: PW })).toMatchObject({ name: 'Alice', kind: 'account' });
    expect(await fails(other, 'login', { name: 'alice', password: PW })).toBe('ALREADY_LOGGED_IN');
  });

  it('refuses taken names with NAME_TAKEN, case-insensitively and after NFKC', async () => {
    const alice = await open({ cmd: 'register', name: 'alice', password: PW });
    const bob = await guest('bob');
    const c = await open(false);
    for (const name of ['ＡLICE', 'Alice', 'ＢOB', 'BOB']) {
      expect(await fails(c, 'register', { name, password: PW })).toBe('NAME_TAKEN');
      expect(await fails(c, 'guest', { name })).toBe('NAME_TAKEN');
    }
    alice.close();
    bob.close();
    // The account's name stays taken while it is offline; the guest's name is freed.
    await until(async () => (await c.request('guest', { name: 'ｂob' })).ok, 'the guest name "bob" to be free');
    expect(await fails(await open(false), 'guest', { name: 'ＡLICE' })).toBe('NAME_TAKEN');
  });

  it('creates, joins, lists, sets topics, parts and deletes rooms with the events members see', async () => {
    const [alice, bob, carol] = [await guest('alice'), await guest('bob'), await guest('carol')];
    expect(await call(alice, 'create', { room: '#dev', topic: 'Dev talk' })).toEqual({ name: '#dev', topic: 'Dev talk', members: 1, conv: '#dev', lastSeq: 0 });
    expect(await fails(bob, 'create', { room: '#DEV' })).toBe('ROOM_EXISTS');
    expect(await fails(bob, 'create', { room: '#bad room' })).toBe('ROOM_INVALID');
    expect(await call(bob, 'join', { room: '#Dev' })).toEqual({ name: '#dev', topic: 'Dev talk', members: 2, conv: '#dev', lastSeq: 0 });
    expect(await alice.event((e) => e.ev === 'join')).toEqual({ ev: 'join', room: '#dev', user: 'bob' });
    expect((await call(carol, 'rooms')).rooms).toEqual([{ name: '#dev', topic: 'Dev talk', members: 2 }, { name: '#general', topic: '', members: 3 }]);
    const online = (name: string) => ({ name, status: 'online', kind: 'guest' });
    // The creator owns the room; plain members carry no role.
    expect(await call(carol, 'who', { room: '#dev' })).toEqual({ room: '#dev', members: [{ ...online('alice'), role: 'owner' }, online('bob')] });
    expect(await call(carol, 'topic', { room: '#dev' })).toEqual({ room: '#dev', topic: 'Dev talk' });
    expect(await fails(carol, 'topic', { room: '#dev', topic: 'hijack' })).toBe('NOT_IN_ROOM');
    expect(await call(bob, 'topic', { room: '#dev', topic: 'Ship it' })).toEqual({ room: '#dev', topic: 'Ship it' });
    expect(await alice.event((e) => e.ev === 'topic')).toEqual({ ev: 'topic', room: '#dev', topic: 'Ship it', by: 'bob' });
    expect(await call(bob, 'part', { room: '#dev' })).toEqual({ room: '#dev' });
    expect(await alice.event((e) => e.ev === 'part')).toMatchObject({ ev: 'part', room: '#dev', user: 'bob' });
    expect(await fails(bob, 'part', { room: '#dev' })).toBe('NOT_IN_ROOM');
    expect((await call(carol, 'who', { room: '#dev' })).members.map((m) => m.name)).toEqual(['alice']);
    await call(bob, 'join', { room: '#dev' });
    expect(await fails(bob, 'delete', { room: '#dev' })).toBe('FORBIDDEN');
    expect(await call(alice, 'delete', { room: '#dev' })).toEqual({ room: '#dev' });
    expect(await bob.event((e) => e.ev === 'room_deleted')).toEqual({ ev: 'room_deleted', room: '#dev', by: 'alice' });
    expect((await call(bob, 'rooms')).rooms.map((r) => r.name)).toEqual(['#general']);
    expect(await fails(bob, 'who', { room: '#dev' })).toBe('NO_SUCH_ROOM');
    expect(await fails(bob, 'send', { to: '#dev', text: 'anyone?' })).toBe('NO_SUCH_ROOM');
    await settle(bob, carol);
    expect(evs(bob, 'join')).toEqual([]);
    expect(evs(carol, 'join').concat(evs(carol, 'part'), evs(carol, 'topic'), evs(carol, 'room_deleted'))).toEqual([]);
  });

  it('sends to a room, one user, several users and ALL with receipts and message events', async () => {
    const [alice, bob, carol, dave] = [await guest('alice'), await guest('bob'), await guest('carol'), await guest('dave')];
    for (const c of [alice, bob, carol]) await call(c, 'join', { room: '#dev' });
    const before = Date.now();
    expect(await call(alice, 'send', { to: '#dev', text: 'hi room', cmid: 'r1' })).toEqual({ sent: [{ to: '#dev', conv: '#dev', seq: 1, duplicate: false }] });
    const one = await call(alice, 'send', { to: 'Bob', text: 'hi bob' });
    expect(one.sent).toEqual([{ to: 'bob', conv: expect.stringMatching(/^dm:/), seq: 1, duplicate: false }]);
    const many = await call(alice, 'send', { to: ['bob', 'carol'], text: 'lunch?' });
    expect(many.sent).toEqual([
      { to: 'bob', conv: one.sent[0]!.conv, seq: 2, duplicate: false },
      { to: 'carol', conv: expect.stringMatching(/^dm:/), seq: 1, duplicate: false },
    ]);
    expect(await call(alice, 'send', { to: 'all', text: 'hello world' })).toEqual({ sent: [{ to: 'ALL', conv: 'all', seq: 1, duplicate: false }] });
    expect(await fails(alice, 'send', { to: ['bob', 'nobody'], text: 'all or nothing' })).toBe('NO_SUCH_USER');
    expect(await fails(dave, 'send', { to: '#dev', text: 'not a member' })).toBe('NOT_IN_ROOM');
    expect(await fails(alice, 'send', { to: 'bob', text: '   ' })).toBe('TEXT_EMPTY');
    expect(await fails(alice, 'send', { to: Array.from({ length: 21 }, (_, i) => `u${i}`), text: 'x' })).toBe('TOO_MANY_RECIPIENTS');
    await settle(alice, bob, carol, dave);
    const ts = expect.any(Number) as unknown as number;
    const dmBob = one.sent[0]!.conv;
    const dmCarol = many.sent[1]!.conv;
    const roomMsg: Msg = { ev: 'message', conv: '#dev', seq: 1, from: 'alice', to: '#dev', text: 'hi room', ts, cmid: 'r1' };
    const allMsg: Msg = { ev: 'message', conv: 'all', seq: 1, from: 'alice', to: 'ALL', text: 'hello world', ts };
    const dm = (conv: string, seq: number, [to, text]: [string, string]): Msg => ({ ev: 'message', conv, seq, from: 'alice', to, text, ts });
    expect(messages(bob)).toEqual([roomMsg, dm(dmBob, 1, ['bob', 'hi bob']), dm(dmBob, 2, ['bob', 'lunch?']), allMsg]);
    expect(messages(carol)).toEqual([roomMsg, dm(dmCarol, 1, ['carol', 'lunch?']), allMsg]);
    expect(messages(dave)).toEqual([allMsg]);
    expect(messages(alice)).toEqual([]);
    for (const m of messages(bob)) expect(m.ts).toBeGreaterThanOrEqual(before - 1000);
  });

  it('delivers room messages to every connection of an account, in the same order for all members', async () => {
    const a1 = await open({ cmd: 'register', name: 'alice', password: PW });
    const a2 = await open({ cmd: 'login', name: 'alice', password: PW });
    const [bob, carol] = [await guest('bob'), await guest('carol')];
    for (const c of [a1, bob, carol]) await call(c, 'join', { room: '#dev' });
    const senders = { alice: a1, bob, carol };
    const receipts = await Promise.all(
      Object.entries(senders).flatMap(([name, c]) =>
        Array.from({ length: 15 }, (_, i) => call(c, 'send', { to: '#dev', text: `${name} ${i}` }).then((r) => ({ name, seq: r.sent[0]!.seq }))),
      ),
    );
    expect(receipts.map((r) => r.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    await settle(a1, a2, bob, carol);
    const seqs = (c: FrameClient) => messages(c).filter((m) => m.conv === '#dev').map((m) => m.seq);
    const mine = (name: string) => new Set(receipts.filter((r) => r.name === name).map((r) => r.seq));
    expect(seqs(a2)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    for (const [name, c] of Object.entries(senders)) {
      expect(increasing(seqs(c))).toBe(true);
      expect(seqs(c)).toEqual(seqs(a2).filter((s) => !mine(name).has(s)));
    }
    // Each event says who sent it, matching the receipts.
    for (const m of messages(a2)) expect(mine(m.from).has(m.seq)).toBe(true);
    // A DM from one connection of the account reaches its other connection too.
    await call(a1, 'send', { to: 'bob', text: 'psst' });
    expect(await a2.event((e) => e.ev === 'message' && e.conv !== '#dev')).toMatchObject({ from: 'alice', to: 'bob', text: 'psst' });
  });

  it('pages history with before, after and limit on a room and a DM', async () => {
    const [alice, bob] = [await guest('alice'), await guest('bob')];
    await call(alice, 'join', { room: '#h' });
    for (let i = 1; i <= 12; i++) await call(alice, 'send', { to: '#h', text: `r${i}` });
    for (let i = 1; i <= 7; i++) await call(bob, 'send', { to: 'alice', text: `d${i}` });
    const page = async (args: Record<string, unknown>) => (await call(alice, 'history', args)).messages.map((m) => m.seq);
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    const all = await call(alice, 'history', { with: '#H' });
    expect(all.conv).toBe('#h');
    expect(all.messages).toHaveLength(12);
    expect(all.messages[0]).toEqual({ conv: '#h', seq: 1, from: 'alice', to: '#h', text: 'r1', ts: expect.any(Number) } satisfies ChatMessage);
    expect(await page({ with: '#h', limit: 5 })).toEqual(range(8, 12));
    expect(await page({ with: '#h', before: 8, limit: 5 })).toEqual(range(3, 7));
    expect(await page({ with: '#h', before: 3, limit: 5 })).toEqual([1, 2]);
    expect(await page({ with: '#h', after: 3, limit: 4 })).toEqual(range(4, 7));
    expect(await page({ with: '#h', after: 10 })).toEqual([11, 12]);
    expect(await page({ with: '#h', after: 12 })).toEqual([]);
    expect(await page({ with: '#h', after: 4, before: 7 })).toEqual([5, 6]);
    expect(await fails(alice, 'history', { with: '#h', limit: 201 })).toBe('BAD_ARGUMENTS');
    expect(await fails(alice, 'history', { with: '#h', before: 0 })).toBe('BAD_ARGUMENTS');
    const dm = await call(alice, 'history', { with: 'bob' });
    expect(dm.conv).toMatch(/^dm:/);
    expect(dm.messages.map((m) => [m.seq, m.from, m.to, m.text])).toEqual(range(1, 7).map((i) => [i, 'bob', 'alice', `d${i}`]));
    expect((await call(bob, 'history', { with: 'ALICE', before: 4, limit: 2 })).messages.map((m) => m.text)).toEqual(['d2', 'd3']);
    expect(await page({ with: 'bob', after: 5 })).toEqual([6, 7]);
  });

  it('tells room peers about away, online and (after the last connection closes) offline', async () => {
    const a1 = await open({ cmd: 'register', name: 'alice', password: PW });
    const a2 = await open({ cmd: 'login', name: 'alice', password: PW });
    const [bob, dave] = [await guest('bob'), await guest('dave')];
    await call(dave, 'part', { room: '#general' });
    const carol = await guest('carol');
    expect(await bob.event((e) => e.ev === 'presence' && e.user === 'carol')).toEqual({ ev: 'presence', user: 'carol', status: 'online' });
    expect(await call(a1, 'presence', { status: 'away' })).toEqual({ status: 'away' });
    expect(await bob.event((e) => e.ev === 'presence')).toEqual({ ev: 'presence', user: 'alice', status: 'away' });
    expect((await call(carol, 'who', { room: '#general' })).members.find((m) => m.name === 'alice')?.status).toBe('away');
    await call(a2, 'presence', { status: 'away' });
    await call(a2, 'presence', { status: 'online' });
    expect(await bob.event((e) => e.ev === 'presence')).toEqual({ ev: 'presence', user: 'alice', status: 'online' });
    a1.close();
    await until(async () => (await call(bob, 'list')).counts.connections === 4, 'the first connection to close');
    await settle(bob);
    expect(evs(bob, 'presence').filter((e) => e.ev === 'presence' && e.status === 'offline')).toEqual([]);
    a2.close();
    expect(await bob.event((e) => e.ev === 'presence')).toEqual({ ev: 'presence', user: 'alice', status: 'offline' });
    await settle(dave);
    expect(evs(dave, 'presence')).toEqual([]);
  });

  it('lists online users with presence and counts', async () => {
    const a1 = await open({ cmd: 'register', name: 'alice', password: PW });
    await open({ cmd: 'login', name: 'alice', password: PW });
    const bob = await guest('bob');
    await guest('Carol');
    await open(false);
    await call(bob, 'presence', { status: 'away' });
    const users = [['alice', 'online', 'account'], ['bob', 'away', 'guest'], ['Carol', 'online', 'guest']].map(([name, status, kind]) => ({ name, status, kind }));
    expect(await call(a1, 'list')).toEqual({ users, counts: { online: 3, guests: 2, accounts: 1, connections: 5 } });
  });

  it('renames guests with nick and a nick event; accounts get FORBIDDEN', async () => {
    const [alice, bob] = [await guest('alice'), await guest('bob')];
    const carol = await open({ cmd: 'register', name: 'carol', password: PW });
    expect(await call(bob, 'nick', { name: 'Robert' })).toEqual({ old: 'bob', name: 'Robert' });
    expect(await alice.event((e) => e.ev === 'nick')).toEqual({ ev: 'nick', old: 'bob', new: 'Robert' });
    expect(await carol.event((e) => e.ev === 'nick')).toEqual({ ev: 'nick', old: 'bob', new: 'Robert' });
    expect(await fails(bob, 'nick', { name: 'ALICE' })).toBe('NAME_TAKEN');
    expect(await fails(bob, 'nick', { name: 'Carol' })).toBe('NAME_TAKEN');
    expect(await fails(carol, 'nick', { name: 'caroline' })).toBe('FORBIDDEN');
    expect(await fails(alice, 'send', { to: 'bob', text: 'old name' })).toBe('NO_SUCH_USER');
    await call(alice, 'send', { to: 'robert', text: 'new name' });
    expect(await bob.event((e) => e.ev === 'message')).toMatchObject({ from: 'alice', to: 'Robert', text: 'new name' });
    await call(bob, 'send', { to: '#general', text: 'it is me' });
    expect(await alice.event((e) => e.ev === 'message')).toMatchObject({ from: 'Robert', text: 'it is me' });
    expect((await call(await open(false), 'guest', { name: 'bob' })).name).toBe('bob');
  });

  it('echoes request ids, numbers and strings, in replies and errors', async () => {
    const c = await open(false);
    const ids: unknown[] = [0, 7, -3, 1.5, 2 ** 40, '', 'req-α', 'x'.repeat(64)];
    for (const id of ids) c.sendFrame({ cmd: 'ping', id, token: String(id).slice(0, 20) });
    c.sendFrame({ cmd: 'frob', id: 'bad-verb' });
    c.sendFrame({ cmd: 'ping' });
    c.sendFrame({ cmd: 'ping', id: 'y'.repeat(65) });
    await settle(c);
    const replies = c.frames.filter((f) => 're' in f);
    for (const id of ids) expect(replies.filter((r) => r.re === id).map((r) => r.ok)).toEqual([true]);
    expect(replies.find((r) => r.re === 'bad-verb')).toMatchObject({ ok: false, error: { name: 'UNKNOWN_COMMAND', code: 1002 } });
    const anonymous = replies.filter((r) => r.re === null);
    expect(anonymous.map((r) => (r.ok ? 'ok' : r.error.name))).toEqual(['ok', 'BAD_FRAME']);
  });
});

describe('across connections', () => {
  it('never lets two online users share a name, even while an account with that name is being registered', async () => {
    const tcp = async (login?: false) => keep(await FrameClient.open({ transport: 'tcp', codec: 'json', port: server.tcpPort }, login));
    const [c1, c2, c3] = [await tcp(false), await tcp(false), await tcp()];
    const registering = c1.request('register', { name: 'alice', password: PW });
    // The guest asks for the name while the password is being hashed (a scheduling aid, not a timing assertion).
    await new Promise((resolve) => setTimeout(resolve, 5));
    const asGuest = await c2.request('guest', { name: 'Alice' });
    const registered = await registering;
    const outcomes = [registered, asGuest].map((r) => (r.ok ? 'ok' : r.error.name)).sort();
    expect(outcomes).toEqual(['NAME_TAKEN', 'ok']);
    expect((await call(c3, 'list')).users.filter((u) => u.name.toLowerCase() === 'alice')).toHaveLength(1);
  });

  it('lets a WebSocket MessagePack client and a TLS JSON client talk', async () => {
    const ws = keep(await FrameClient.open({ transport: 'ws', codec: 'msgpack', port: server.httpPort }, { cmd: 'guest', name: 'webby' }));
    const tls = keep(await FrameClient.open({ transport: 'tls', codec: 'json', port: server.tlsPort }, { cmd: 'register', name: 'tilly', password: PW }));
    await ws.ok('send', { to: 'tilly', text: 'über websocket 🚀' });
    expect(await tls.event((e) => e.ev === 'message')).toMatchObject({ from: 'webby', to: 'tilly', text: 'über websocket 🚀', seq: 1 });
    await tls.ok('send', { to: 'webby', text: 'über tls' });
    expect(await ws.event((e) => e.ev === 'message')).toMatchObject({ from: 'tilly', to: 'webby', text: 'über tls', seq: 2 });
    await tls.ok('send', { to: '#general', text: 'room' });
    expect(await ws.event((e) => e.ev === 'message')).toMatchObject({ from: 'tilly', to: '#general', conv: '#general', seq: 1 });
  });
});
