import { randomBytes } from 'node:crypto';
import { connect as netConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { decodeFrame, encodeFrame, lengthPrefix, type ErrorReply, type ServerFrame } from '@parley/protocol';
import { Packr } from 'msgpackr';
import { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameClient, startTestServer, TextClient, type TestServer, type TestTransport, waitFor } from '../src/index.ts';

/** Hostile and broken input on every transport: coded errors, no crash, nothing lost. */
const WITNESS = 'said before the abuse';
const MAX_FRAME = 1024;
const utf8 = (text: string) => Buffer.from(text, 'utf8');
const pack = (value: unknown) => new Packr({ useRecords: false }).pack(value);

let server: TestServer;
let witness: TextClient;
let probes = 0;
const cleanups: (() => void)[] = [];

const waitUntil = (condition: () => boolean, what: string, timeoutMs = 5000) => waitFor(condition, what, timeoutMs);

async function text(): Promise<TextClient> {
  const client = await TextClient.connect({ port: server.tlsPort, tls: true });
  cleanups.push(() => client.close());
  return client;
}

async function frames(transport: TestTransport, codec: 'json' | 'msgpack', hello = true): Promise<FrameClient> {
  const port = transport === 'ws' ? server.httpPort : transport === 'tls' ? server.tlsPort : server.tcpPort;
  const client = hello ? await FrameClient.open({ transport, codec, port }) : await FrameClient.connect({ transport, codec, port });
  cleanups.push(() => client.close());
  return client;
}

/** A raw socket that records what it receives (for bytes no well-behaved client would send). */
async function raw(port: number): Promise<{ socket: Socket; received: () => Buffer; closed: () => boolean }> {
  const socket = netConnect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk)).on('error', () => undefined);
  cleanups.push(() => socket.destroy());
  return { socket, received: () => Buffer.concat(chunks), closed: () => socket.destroyed };
}

/** A WebSocket whose frame types the test chooses. */
async function rawWs(): Promise<{ ws: WebSocket; messages: { data: Buffer; binary: boolean }[]; closed: () => boolean }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.httpPort}/ws`);
  const messages: { data: Buffer; binary: boolean }[] = [];
  ws.on('message', (data: Buffer, binary: boolean) => messages.push({ data, binary }));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
  cleanups.push(() => ws.terminate());
  return { ws, messages, closed: () => ws.readyState !== WebSocket.OPEN };
}

/** The error replies a client got after `mark`, as [re, code, name]. */
function errorsSince(client: FrameClient, mark: number): [unknown, number, string][] {
  return client.frames
    .slice(mark)
    .filter((f: ServerFrame): f is ErrorReply => 'ok' in f && !f.ok)
    .map((f) => [f.re, f.error.code, f.error.name]);
}

/** Someone new can log in and talk, the witness still hears it, and history kept the old message. */
async function assertServerHealthy(): Promise<void> {
  const name = `probe${++probes}`;
  const probe = await text();
  expect(await probe.command(`REGISTER ${name}`)).toMatch(/^OK welcome/);
  expect(await probe.command(`SAY #general hello from ${name}`)).toMatch(/^OK SEND #general:\d+$/);
  expect(await witness.expect(`MSG ${name}`)).toBe(`MSG ${name} #general hello from ${name}`);
  probe.send('HISTORY #general 50');
  expect(await probe.expect('OK HISTORY')).toMatch(/^OK HISTORY #general \d+$/);
  const history = probe.lines.filter((line) => line.startsWith('HIST '));
  expect(history.some((line) => line.endsWith(`witness #general ${WITNESS}`))).toBe(true);
  expect(history.some((line) => line.endsWith(`${name} #general hello from ${name}`))).toBe(true);
}

beforeEach(async () => {
  server = await startTestServer({ limits: { max_frame_bytes: MAX_FRAME, handshake_timeout_ms: 1000 } });
  witness = await text();
  expect(await witness.command('REGISTER witness')).toMatch(/^OK welcome witness/);
  expect(await witness.command(`SAY #general ${WITNESS}`)).toBe('OK SEND #general:1');
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await server.stop({ removeData: true });
});

const STRUCTURED = [
  { name: 'JSON over TCP', transport: 'tcp', codec: 'json' },
  { name: 'JSON over TLS', transport: 'tls', codec: 'json' },
  { name: 'MessagePack over TCP', transport: 'tcp', codec: 'msgpack' },
  { name: 'JSON over WebSocket', transport: 'ws', codec: 'json' },
  { name: 'MessagePack over WebSocket', transport: 'ws', codec: 'msgpack' },
] as const;

describe.each(STRUCTURED)('$name', ({ transport, codec }) => {
  const encoded = (json: string, value: unknown) => (codec === 'json' ? utf8(json) : pack(value));

  it('answers undecodable, non-object and cmd-less frames with BAD_FRAME and keeps the connection', async () => {
    const client = await frames(transport, codec);
    const mark = client.frames.length;
    client.sendPayload(codec === 'json' ? utf8('{"cmd":"send",') : Uint8Array.of(0x82, 0xa3, 0x63, 0x6d, 0x64));
    client.sendPayload(encoded('[{"cmd":"ping"}]', [{ cmd: 'ping' }]));
    client.sendPayload(encoded('42', 42));
    client.sendPayload(encoded('null', null));
    client.sendFrame({ id: 7, to: '#general', text: 'no verb' });
    client.sendFrame({ id: 8, cmd: 42 });
    client.sendFrame({ id: { nested: true }, cmd: 'ping' });
    expect(await client.ok('ping', { token: 'alive' })).toEqual({ token: 'alive' });
    const ids = errorsSince(client, mark).map(([re, code, name]) => (code === 1000 && name === 'BAD_FRAME' ? re : `${code} ${name}`));
    expect(ids).toEqual([null, null, null, null, 7, 8, null]);
    expect(client.closed).toBe(false);
    expect(await client.ok('send', { to: '#general', text: 'still here' })).toMatchObject({ sent: [{ to: '#general' }] });
    await assertServerHealthy();
  });

  it('answers unknown verbs with 1002 and ill-typed arguments with 1003, and keeps going', async () => {
    const client = await frames(transport, codec);
    const expectError = async (cmd: string, args: Record<string, unknown>, code: number) => {
      const reply = await client.request(cmd, args);
      expect(reply.ok ? reply : reply.error.code, `${cmd} ${JSON.stringify(args)}`).toBe(code);
    };
    await expectError('frobnicate', {}, 1002);
    await expectError('SEND', { to: '#general', text: 'verbs are lower case' }, 1002);
    for (const inherited of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) await expectError(inherited, {}, 1002);
    await expectError('send', { to: 5, text: [] }, 1003);
    await expectError('send', { to: [], text: 'x' }, 1003);
    await expectError('send', { text: 'no target' }, 1003);
    await expectError('join', { room: null }, 1003);
    await expectError('history', { with: '#general', limit: 'ten' }, 1003);
    await expectError('history', { with: '#general', limit: 100_000 }, 1003);
    await expectError('presence', { status: 'invisible' }, 1003);
    await expectError('send', { to: '#general', text: 'x', cmid: 'c'.repeat(65) }, 1003);
    // NUL cannot be stored in PostgreSQL text: refused alike by every store.
    await expectError('send', { to: '#general', text: 'nul \u0000 inside' }, 1003);
    await expectError('topic', { room: '#general', topic: '\u0000' }, 1003);
    expect(await client.ok('send', { to: '#general', text: 'typed right' })).toMatchObject({ sent: [{ to: '#general' }] });
    await assertServerHealthy();
  });

  it('requires hello first (1004), rejects a malformed hello (1003) and closes after hello v:2 (1005)', async () => {
    const early = await frames(transport, codec, false);
    expect(await early.request('guest', {})).toMatchObject({ ok: false, error: { code: 1004, name: 'HELLO_REQUIRED' } });
    expect(await early.request('send', { to: '#general', text: 'sneaky' })).toMatchObject({ ok: false, error: { code: 1004 } });
    expect(await early.request('hello', { v: 'one' })).toMatchObject({ ok: false, error: { code: 1003, name: 'BAD_ARGUMENTS' } });
    await early.ok('hello', { v: 1 });
    await early.ok('guest', {});

    const future = await frames(transport, codec, false);
    expect(await future.request('hello', { v: 2 })).toMatchObject({ ok: false, error: { code: 1005, name: 'UNSUPPORTED_VERSION', action: 'stop' } });
    await future.waitClosed();
    if (transport === 'ws') expect(future.closeInfo).toEqual({ code: 1008, reason: '1005 UNSUPPORTED_VERSION' });
    await assertServerHealthy();
  });
});

describe('oversize frames', () => {
  it('JSON over TCP: an oversize line gets 1001 FRAME_TOO_LARGE once, and the next line works', async () => {
    const client = await frames('tcp', 'json');
    const mark = client.frames.length;
    client.sendFrame({ cmd: 'send', to: '#general', text: 'x'.repeat(MAX_FRAME * 2) });
    // The same, dribbled in pieces: still one error.
    const big = utf8(`${JSON.stringify({ cmd: 'send', to: '#general', text: 'y'.repeat(MAX_FRAME * 3) })}\n`);
    for (let at = 0; at < big.length; at += 300) client.sendPayload(big.subarray(at, at + 300), true);
    expect(await client.ok('ping', { token: 'next' })).toEqual({ token: 'next' });
    expect(errorsSince(client, mark)).toEqual([[null, 1001, 'FRAME_TOO_LARGE'], [null, 1001, 'FRAME_TOO_LARGE']]);
    await client.ok('send', { to: '#general', text: 'small again' });
    await assertServerHealthy();
  });

  it('MessagePack over TCP: an oversize or zero length prefix is reported, then the connection closes', async () => {
    for (const [prefix, code] of [[[0, 1, 0, 0], 1001], [[0xff, 0xff, 0xff, 0xff], 1001], [[0, 0, 0, 0], 1000]] as const) {
      const client = await frames('tcp', 'msgpack');
      client.sendPayload(Uint8Array.of(...prefix, 1, 2, 3, 4, 5), true);
      expect(await client.event((e) => e.ev === 'error')).toMatchObject({ error: { code } });
      await client.waitClosed();
    }
    await assertServerHealthy();
  });

  it('WebSocket: an oversize message closes the socket with 1009', async () => {
    for (const codec of ['json', 'msgpack'] as const) {
      const client = await frames('ws', codec);
      client.sendFrame({ cmd: 'send', to: '#general', text: 'z'.repeat(MAX_FRAME * 2) });
      await client.waitClosed();
      expect(client.closeInfo.code).toBe(1009);
    }
    await assertServerHealthy();
  });
});

describe('wrong frame types and bytes', () => {
  it('WebSocket: a binary frame on a JSON connection (and text on MessagePack) is BAD_FRAME, not fatal', async () => {
    for (const codec of ['json', 'msgpack'] as const) {
      const { ws, messages, closed } = await rawWs();
      const binary = codec === 'msgpack';
      ws.send(encodeFrame(codec, { cmd: 'hello', v: 1, id: 1 }), { binary });
      ws.send(encodeFrame(codec === 'json' ? 'msgpack' : 'json', { cmd: 'ping', id: 2 }), { binary: !binary });
      ws.send(encodeFrame(codec, { cmd: 'ping', id: 3 }), { binary });
      await waitUntil(() => messages.length >= 3, `three ${codec} replies`);
      const replies = messages.map((m) => ({ binary: m.binary, ...(decodeFrame(codec, m.data) as { re?: unknown; ok?: boolean; error?: { code: number } }) }));
      expect(replies.map((r) => [r.binary, r.re, r.ok, r.error?.code])).toEqual([
        [binary, 1, true, undefined],
        [binary, null, false, 1000],
        [binary, 3, true, undefined],
      ]);
      expect(closed()).toBe(false);
    }
    await assertServerHealthy();
  });

  it('text over TLS: invalid UTF-8 and binary garbage lines get ERR 1000, an oversize line ERR 1001; the session lives on', async () => {
    const client = await text();
    expect(await client.command('REGISTER mallory')).toMatch(/^OK welcome mallory/);
    client.socket.write(Buffer.from([0x53, 0x41, 0x59, 0x20, 0xff, 0xfe, 0xc0, 0xaf, 0x0a]));
    expect(await client.expect(/^(OK|ERR)/)).toMatch(/^ERR 1000 BAD_FRAME /);
    const garbage = Buffer.from(randomBytes(600).map((b) => (b === 0x0a ? 0xff : b)));
    garbage[0] = 0xff;
    client.socket.write(Buffer.concat([garbage, Buffer.from('\n')]));
    expect(await client.expect(/^(OK|ERR)/)).toMatch(/^ERR 1000 BAD_FRAME /);
    client.send(`SAY #general ${'w'.repeat(MAX_FRAME * 2)}`);
    expect(await client.expect(/^(OK|ERR)/)).toMatch(/^ERR 1001 FRAME_TOO_LARGE /);
    expect(await client.command('SAY #general I am fine')).toMatch(/^OK SEND #general:\d+$/);
    await assertServerHealthy();
  });

  it('plain TCP: garbage as the very first bytes picks text mode and gets ERR 1000; a NUL first byte picks MessagePack and is cut off', async () => {
    const textual = await raw(server.tcpPort);
    textual.socket.write(Buffer.from([0xff, 0xfe, 0xfd, 0x80, 0x0a]));
    textual.socket.write('REGISTER zed\n');
    await waitUntil(() => textual.received().toString().includes('OK welcome'), 'the text reply');
    expect(textual.received().toString().split('\n')[0]).toMatch(/^ERR 1000 BAD_FRAME /);

    const binary = await raw(server.tcpPort);
    binary.socket.write(Buffer.concat([Buffer.from([0x00, 0x7f]), randomBytes(64)]));
    await waitUntil(binary.closed, 'the server closes the MessagePack garbage connection');
    await assertServerHealthy();
  });

  it('plain TCP: whitespace before the first MessagePack frame is skipped however the bytes are segmented', async () => {
    const hello = (id: number) => Buffer.from(lengthPrefix(pack({ cmd: 'hello', v: 1, id })));
    const split = await raw(server.tcpPort);
    split.socket.write('\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    split.socket.write(hello(1));
    const together = await raw(server.tcpPort);
    together.socket.write(Buffer.concat([Buffer.from('\r\n'), hello(2)]));
    for (const [how, client] of [['in its own segment', split], ['in the same segment', together]] as const) {
      await waitUntil(() => client.received().length > 4 || client.closed(), 'a reply or a close');
      const reply = decodeFrame('msgpack', client.received().subarray(4));
      expect(reply, `whitespace ${how}`).toMatchObject({ ok: true });
      expect(client.closed(), `whitespace ${how}`).toBe(false);
    }
    await assertServerHealthy();
  });

  it('text mode strips terminal control characters (C0, ESC, DEL and C1) from what other users send', async () => {
    const listener = await text();
    await listener.command('REGISTER listener');
    const sender = await frames('tcp', 'json');
    await sender.ok('send', { to: '#general', text: 'a\u001b[2Jb\u0007c\u007fd\u009b2Je\u0085f\u0090g' });
    const line = await listener.expect('MSG ');
    expect(line).toMatch(/^MSG guest\d+ #general a/);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    await assertServerHealthy();
  });
});

describe('the TLS port', () => {
  /** A real ClientHello, caught by a plain TCP listener that plays the server. */
  async function clientHello(): Promise<Buffer> {
    const catcher = createServer();
    await new Promise<void>((resolve) => catcher.listen(0, '127.0.0.1', resolve));
    const caught = new Promise<Buffer>((resolve) => catcher.once('connection', (socket: Socket) => socket.once('data', resolve)));
    const client = tlsConnect({ host: '127.0.0.1', port: (catcher.address() as AddressInfo).port, rejectUnauthorized: false });
    client.on('error', () => undefined);
    const hello = await caught;
    client.destroy();
    catcher.close();
    return hello;
  }

  it('drops a ClientHello followed by junk, and still serves the next TLS client', async () => {
    const hello = await clientHello();
    expect(hello[0]).toBe(0x16);
    const attacker = await raw(server.tlsPort);
    attacker.socket.write(hello);
    attacker.socket.write(Buffer.concat([Buffer.alloc(64, 0xff), utf8('GET / HTTP/1.1\r\n\r\n')]));
    await waitUntil(attacker.closed, 'the server drops the broken handshake');
    await assertServerHealthy();
  });

  it('drops random bytes: a fake handshake record, plaintext noise, and a stalled record', async () => {
    const fake = await raw(server.tlsPort);
    fake.socket.end(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40]), randomBytes(64)]));
    const noise = await raw(server.tlsPort);
    noise.socket.write(Buffer.concat([Buffer.from([0x01]), randomBytes(256)]));
    const stalled = await raw(server.tlsPort);
    stalled.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x10, 0x00, 0x01]));
    await waitUntil(() => fake.closed() && noise.closed() && stalled.closed(), 'all three are closed');
    expect(noise.received().toString()).toMatch(/^ERR 1006 TLS_REQUIRED /);
    await assertServerHealthy();
  });
});
