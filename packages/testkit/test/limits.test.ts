import { connect as netConnect, type Socket } from 'node:net';
import type { ErrorReply, Reply, ServerEvent } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameClient, startTestServer, TextClient, type TestServer, type TestTransport, waitFor } from '../src/index.ts';

/** Every configured limit, hit on purpose over real sockets, with small values so nothing waits long. */
type Limits = NonNullable<NonNullable<Parameters<typeof startTestServer>[0]>['limits']>;
const FAST = { handshake_timeout_ms: 300, idle_timeout_ms: 300, ping_timeout_ms: 300 };
const NO_RATE_LIMIT = { messages_per_minute: 1_000_000, message_burst: 1_000_000 };

let server: TestServer;
const cleanups: (() => void)[] = [];

async function start(limits: Limits): Promise<void> {
  server = await startTestServer({ limits });
}
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await server.stop({ removeData: true });
});

const waitUntil = (condition: () => boolean, what: string, timeoutMs = 5000) => waitFor(condition, what, timeoutMs);

async function text(tls = true): Promise<TextClient> {
  const client = await TextClient.connect({ port: tls ? server.tlsPort : server.tcpPort, tls });
  cleanups.push(() => client.close());
  return client;
}

async function frames(transport: TestTransport, login?: { cmd: 'guest'; name?: string } | false): Promise<FrameClient> {
  const port = transport === 'ws' ? server.httpPort : transport === 'tls' ? server.tlsPort : server.tcpPort;
  const client = login === undefined ? await FrameClient.connect({ transport, codec: 'json', port }) : await FrameClient.open({ transport, codec: 'json', port }, login);
  cleanups.push(() => client.close());
  return client;
}

async function raw(port: number): Promise<{ socket: Socket; received: () => string; closed: () => boolean }> {
  const socket = netConnect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1'))).on('error', () => undefined);
  cleanups.push(() => socket.destroy());
  return { socket, received: () => received, closed: () => socket.destroyed };
}

const online = (name: string) => [...server.server.context.sessions].some((session) => session.user?.name === name);
async function disconnects(reason: string): Promise<number> {
  const { values } = await server.server.context.metrics.disconnects.get();
  return values.find((v) => v.labels.reason === reason)?.value ?? 0;
}
const isError = (event: ServerEvent) => event.ev === 'error';
const errorCode = (reply: Reply) => (reply.ok ? 'ok' : reply.error.code);

describe('handshake timeout', () => {
  it('closes a structured client that never says hello, telling it HANDSHAKE_TIMEOUT', async () => {
    await start(FAST);
    const [tcp, ws, silentWs] = [await frames('tcp'), await frames('ws'), await frames('ws')];
    for (const client of [tcp, ws]) expect(await client.request('ping')).toMatchObject({ ok: false, error: { code: 1004 } });
    for (const client of [tcp, ws]) {
      expect(await client.event(isError)).toMatchObject({ error: { code: 1007, name: 'HANDSHAKE_TIMEOUT', action: 'stop' } });
      await client.waitClosed();
    }
    expect(ws.closeInfo).toEqual({ code: 1008, reason: '1007 HANDSHAKE_TIMEOUT' });
    await silentWs.waitClosed();
    expect(silentWs.closeInfo).toEqual({ code: 1008, reason: '1007 HANDSHAKE_TIMEOUT' });
    expect(silentWs.frames).toEqual([]);
  });

  it('closes TCP and TLS connections that send nothing usable', async () => {
    await start(FAST);
    const [plain, whitespace] = [await raw(server.tcpPort), await raw(server.tcpPort)];
    const [tlsPortSilent, tlsStalled] = [await raw(server.tlsPort), await raw(server.tlsPort)];
    whitespace.socket.write(' \r\n\r\n\t');
    tlsStalled.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x01, 0x00, 0x01]));
    const tlsSilent = await text(true);
    await waitUntil(() => [plain, whitespace, tlsPortSilent, tlsStalled].every((c) => c.closed()) && tlsSilent.closed, 'all are closed');
    expect([plain, whitespace, tlsPortSilent, tlsStalled].map((c) => c.received())).toEqual(['', '', '', '']);
    expect(tlsSilent.lines).toEqual([]);
    expect(server.server.context.sessions.size).toBe(0);
    expect(await disconnects('HANDSHAKE_TIMEOUT')).toBe(3); // the TLS-port sockets never became sessions
  });
});

describe('idle timeout', () => {
  it('pings a silent JSON client; answering keeps it, silence closes it with IDLE_TIMEOUT', async () => {
    await start(FAST);
    const client = await frames('tcp', { cmd: 'guest', name: 'sleepy' });
    const first = await client.event<{ ev: 'ping'; token: string }>((e) => e.ev === 'ping');
    client.sendFrame({ cmd: 'pong', token: first.token });
    // A second ping (not a close) proves the pong counted; past its ping_timeout it is dropped.
    await client.event((e) => e.ev === 'ping');
    expect(client.closed).toBe(false);
    expect(await client.event(isError)).toMatchObject({ error: { code: 1008, name: 'IDLE_TIMEOUT', action: 'retry' } });
    await client.waitClosed();
    expect(client.frames.filter((f) => 're' in f && f.re === null)).toEqual([]); // the pong got no reply
    expect(online('sleepy')).toBe(false);
    expect(await disconnects('IDLE_TIMEOUT')).toBe(1);
  });

  it('text mode: PING line, PONG keeps the session, silence ends it with ERR 1008 IDLE_TIMEOUT', async () => {
    await start(FAST);
    const client = await text(true);
    expect(await client.command('REGISTER drowsy')).toMatch(/^OK welcome drowsy/);
    const ping = await client.expect('PING ');
    client.send(`PONG ${ping.slice(5)}`);
    await client.expect('PING ');
    expect(client.closed).toBe(false);
    expect(await client.expect('ERR')).toMatch(/^ERR 1008 IDLE_TIMEOUT /);
    await client.waitClosed();
    expect(client.lines.filter((line) => line.startsWith('OK'))).toHaveLength(1);
  });

  it('drops a half-open peer that neither reads nor writes', async () => {
    await start(FAST);
    const ghost = await raw(server.tcpPort);
    ghost.socket.write('{"cmd":"hello","v":1,"id":1}\n{"cmd":"guest","name":"ghost","id":2}\n');
    await waitUntil(() => ghost.received().includes('"re":2'), 'ghost is logged in');
    ghost.socket.pause();
    expect(online('ghost')).toBe(true);
    await waitUntil(() => !online('ghost'), 'the server drops the ghost');
    expect(await disconnects('IDLE_TIMEOUT')).toBe(1);
    const watcher = await text(true);
    await watcher.command('REGISTER watcher');
    expect(await watcher.command('LIST')).toBe('OK LIST 1 watcher');
  });
});

describe('message rate', () => {
  it('allows the burst, then answers 4000 RATE_LIMITED with retryAfterMs (JSON and text)', async () => {
    await start({ messages_per_minute: 60, message_burst: 3 });
    const client = await frames('tcp', { cmd: 'guest' });
    const replies = await Promise.all([1, 2, 3, 4].map((i) => client.request('send', { to: '#general', text: `m${i}` })));
    expect(replies.map(errorCode)).toEqual(['ok', 'ok', 'ok', 4000]);
    const limited = (replies[3] as ErrorReply).error;
    expect(limited).toMatchObject({ name: 'RATE_LIMITED', action: 'retry' });
    expect(limited.retryAfterMs! > 0 && limited.retryAfterMs! <= 1000, `retryAfterMs ${limited.retryAfterMs}`).toBe(true);

    const human = await text(true);
    await human.command('REGISTER typist');
    human.socket.write('SAY #general a\nSAY #general b\nSAY #general c\nSAY #general d\n');
    const lines: string[] = [];
    for (let i = 0; i < 4; i++) lines.push(await human.expect(/^(OK|ERR)/));
    expect(lines).toEqual([...Array(3).fill(expect.stringMatching(/^OK SEND #general:/)), expect.stringMatching(/^ERR 4000 RATE_LIMITED .*\(retry in [1-9]\d* ms\)$/)]);
  });

  it('disconnects a flooder with 4005 FLOODING while another client keeps talking', async () => {
    await start({ messages_per_minute: 60, message_burst: 3, flood_disconnect_after: 5 });
    const listener = await text(true);
    await listener.command('REGISTER listener');
    const talker = await frames('tcp', { cmd: 'guest', name: 'talker' });
    const flooder = await frames('tcp', { cmd: 'guest', name: 'flooder' });
    const mark = flooder.frames.length;
    for (let i = 0; i < 15; i++) flooder.sendFrame({ cmd: 'send', id: 100 + i, to: '#general', text: `flood ${i}` });
    await talker.ok('send', { to: '#general', text: 'calm 1' });
    expect(await flooder.event(isError)).toMatchObject({ error: { code: 4005, name: 'FLOODING' } });
    await flooder.waitClosed();
    expect(await disconnects('FLOODING')).toBe(1);
    const replies = flooder.frames.slice(mark).filter((f): f is Reply => 're' in f);
    expect(replies.map(errorCode)).toEqual(['ok', 'ok', 'ok', 4000, 4000, 4000, 4000, 4000]);
    await talker.ok('send', { to: '#general', text: 'calm 2' });
    expect(await listener.expect('MSG talker')).toBe('MSG talker #general calm 1');
    expect(await listener.expect('MSG talker')).toBe('MSG talker #general calm 2');
    listener.send('HISTORY #general 50');
    await listener.expect('OK HISTORY');
    expect(listener.lines.filter((line) => line.startsWith('HIST ') && line.includes(' flooder #general '))).toHaveLength(3);
  });
});

describe('connection limits', () => {
  it('refuses the 4th connection from one address with one ERR 4001 line, on every transport', async () => {
    await start({ max_connections_per_ip: 3 });
    const [plain, secure, ws] = [await text(false), await text(true), await frames('ws', false)];
    for (const client of [plain, secure]) expect(await client.command('PING x')).toBe('OK PONG x');
    const refusal = 'ERR 4001 TOO_MANY_CONNECTIONS At most 3 connections per address';
    for (const tls of [false, true]) {
      const fourth = await text(tls);
      await fourth.waitClosed();
      expect(fourth.lines).toEqual([refusal]);
    }
    const fourthWs = await frames('ws');
    await fourthWs.waitClosed();
    expect(fourthWs.closeInfo).toEqual({ code: 1013, reason: '4001 TOO_MANY_CONNECTIONS' });
    // Closing one frees its slot.
    ws.close();
    await waitUntil(() => server.server.context.sessions.size === 2, 'the closed slot is freed');
    const again = await text(false);
    expect(await again.command('PING y')).toBe('OK PONG y');
  });

  it('refuses connections past max_connections with ERR 4001 (server full)', async () => {
    await start({ max_connections: 2 });
    for (const client of [await text(false), await text(true)]) expect(await client.command('PING x')).toBe('OK PONG x');
    const third = await text(false);
    await third.waitClosed();
    expect(third.lines).toEqual(['ERR 4001 TOO_MANY_CONNECTIONS The server is full; try again later']);
    expect(await disconnects('TOO_MANY_CONNECTIONS')).toBe(1);
  });
});

describe('per-message limits', () => {
  it('max_recipients: more targets get 4003 TOO_MANY_RECIPIENTS; the same name twice counts once', async () => {
    await start({ max_recipients: 2, ...NO_RATE_LIMIT });
    const alice = await frames('tcp', { cmd: 'guest', name: 'alice' });
    for (const name of ['bob', 'carol']) await frames('tcp', { cmd: 'guest', name });
    expect(errorCode(await alice.request('send', { to: ['bob', 'carol', '#general'], text: 'hi' }))).toBe(4003);
    expect(await alice.ok('send', { to: ['bob', 'BOB', 'Ｂｏｂ', 'carol'], text: 'hi' })).toMatchObject({ sent: [{ to: 'bob' }, { to: 'carol' }] });
    const human = await text(true);
    await human.command('REGISTER dave');
    expect(await human.command('SEND bob,carol,alice hi')).toMatch(/^ERR 4003 TOO_MANY_RECIPIENTS /);
  });

  it('max_text_bytes counts UTF-8 bytes (3005 TEXT_TOO_LONG); empty or blank text is 3006 TEXT_EMPTY', async () => {
    await start({ max_text_bytes: 100, ...NO_RATE_LIMIT });
    const client = await frames('tcp', { cmd: 'guest' });
    const send = async (body: string) => errorCode(await client.request('send', { to: '#general', text: body }));
    expect(await send('a'.repeat(100))).toBe('ok');
    expect(await send('a'.repeat(101))).toBe(3005);
    expect(await send('é'.repeat(50))).toBe('ok');
    expect(await send('é'.repeat(51))).toBe(3005);
    expect(await send('😀'.repeat(25))).toBe('ok');
    expect(await send('😀'.repeat(26))).toBe(3005);
    expect(await send('')).toBe(3006);
    expect(await send(' \n\t ')).toBe(3006);
    const human = await text(true);
    await human.command('REGISTER erin');
    expect(await human.command('SAY #general')).toMatch(/^ERR 3006 TEXT_EMPTY /);
    expect(await human.command(`SAY #general ${'b'.repeat(101)}`)).toMatch(/^ERR 3005 TEXT_TOO_LONG /);
  });

  it('max_rooms_per_user: joining one room too many is 4002 TOO_MANY_ROOMS; leaving one makes space', async () => {
    await start({ max_rooms_per_user: 2, ...NO_RATE_LIMIT });
    const client = await frames('tcp', { cmd: 'guest' }); // already in #general
    await client.ok('join', { room: '#one' });
    expect(await client.request('join', { room: '#two' })).toMatchObject({ ok: false, error: { code: 4002, name: 'TOO_MANY_ROOMS' } });
    expect(errorCode(await client.request('create', { room: '#three' }))).toBe(4002);
    await client.ok('part', { room: '#one' });
    await client.ok('join', { room: '#two' });
  });

  it('a JOIN or CREATE refused by max_rooms_per_user leaves no new room behind', async () => {
    await start({ max_rooms_per_user: 1, ...NO_RATE_LIMIT });
    const client = await frames('tcp', { cmd: 'guest' }); // #general fills its only slot
    expect(errorCode(await client.request('join', { room: '#ghost-town' }))).toBe(4002);
    expect(errorCode(await client.request('create', { room: '#ghost-city' }))).toBe(4002);
    const { rooms } = (await client.ok('rooms')) as { rooms: { name: string }[] };
    expect(rooms.map((room) => room.name)).toEqual(['#general']);
  });
});

describe('slow consumer', () => {
  it('disconnects a receiver that stops reading once its queue passes outbound_queue_bytes; the rest carry on', async () => {
    await start({ outbound_queue_bytes: 65536, max_text_bytes: 60_000, ...NO_RATE_LIMIT });
    const slow = await raw(server.tcpPort);
    slow.socket.write('REGISTER slowpoke\nJOIN #flood\n');
    await waitUntil(() => slow.received().includes('OK JOIN'), 'slowpoke is in #flood');
    slow.socket.pause();
    const sender = await frames('tcp', { cmd: 'guest', name: 'sender' });
    const reader = await frames('tcp', { cmd: 'guest', name: 'reader' });
    for (const client of [sender, reader]) await client.ok('join', { room: '#flood' });
    const body = 'x'.repeat(50_000);
    let sent = 0;
    while (online('slowpoke')) {
      if (sent >= 2000) throw new Error(`slowpoke still connected after ${sent} messages of 50 kB`);
      await Promise.all(Array.from({ length: 20 }, () => sender.ok('send', { to: '#flood', text: body })));
      sent += 20;
    }
    expect(await disconnects('SLOW_CONSUMER')).toBe(1);
    const { members } = (await sender.ok('who', { room: '#flood' })) as { members: { name: string }[] };
    expect(members.map((m) => m.name).sort()).toEqual(['reader', 'sender']);
    const last = await sender.ok('send', { to: '#flood', text: 'the end' });
    await reader.event((e) => e.ev === 'message' && e.text === 'the end', 10_000);
    expect([sender.closed, reader.closed]).toEqual([false, false]);
    const late = await frames('tcp', { cmd: 'guest', name: 'latecomer' });
    const { messages } = (await late.ok('history', { with: '#flood', limit: 1 })) as { messages: { text: string; seq: number }[] };
    expect(messages.map((m) => [m.text, m.seq])).toEqual([['the end', (last as { sent: { seq: number }[] }).sent[0]!.seq]]);
  });
});

describe('pipelining', () => {
  it('runs text commands written in one go, in order', async () => {
    await start({});
    const client = await text(true);
    client.socket.write('REGISTER piper\nJOIN #x\nSAY #x hi\nHISTORY #x\n');
    await client.expect('OK HISTORY');
    expect(client.lines.filter((line) => /^(OK|ERR|HIST) /.test(line))).toEqual([
      expect.stringMatching(/^OK welcome piper /),
      'OK JOIN #x 1 online',
      'OK SEND #x:1',
      expect.stringMatching(/^HIST 1 \S+ piper #x hi$/),
      'OK HISTORY #x 1',
    ]);
  });

  it('answers 300 JSON frames sent in one write and then half-closed, all in order', async () => {
    await start({});
    const client = await raw(server.tcpPort);
    const lines = ['{"cmd":"hello","v":1,"id":0}', '{"cmd":"guest","id":1}'];
    for (let id = 2; id < 300; id++) lines.push(JSON.stringify({ cmd: 'ping', id, token: `t${id}` }));
    client.socket.end(`${lines.join('\n')}\n`);
    await waitUntil(client.closed, 'the server answers and closes', 10_000);
    const replies = client.received().trim().split('\n').map((line) => JSON.parse(line) as Reply);
    expect(replies.map((reply) => reply.re)).toEqual(lines.map((_line, id) => id));
    expect(replies.every((reply) => reply.ok)).toBe(true);
  });
});
