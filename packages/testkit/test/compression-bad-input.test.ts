import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw } from 'node:zlib';
import { DEFLATE_WINDOW_BITS, LineFramer } from '@parley/protocol';
import { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameClient, startTestServer, TextClient, type TestServer, waitFor } from '../src/index.ts';
import { DeflateClient } from './deflate-client.ts';

/**
 * Compression's edges (docs/protocol.md, "Compression"): the exact switch point, a stream that
 * is not deflate, a decompression bomb, bad or repeated asks, text mode, and the WebSocket's
 * own limits. Each gets a coded error or close, and the server goes on serving.
 */
const MAX_FRAME = 65_536;
let server: TestServer;
const cleanups: (() => void)[] = [];

beforeEach(async () => {
  server = await startTestServer({ limits: { max_frame_bytes: MAX_FRAME } });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await server.stop({ removeData: true });
});

function track<T extends { close(): void }>(closeable: T): T {
  cleanups.push(() => closeable.close());
  return closeable;
}

async function rawSocket(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  cleanups.push(() => socket.destroy());
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

/** The server still answers a new connection's hello and login. */
async function stillServing(): Promise<void> {
  const client = track(await FrameClient.open({ transport: 'tcp', codec: 'json', port: server.tcpPort }));
  expect((await client.request('who', { room: '#general' })).ok).toBe(true);
}

/** What a sync-flushing compressor makes of `text` (its window carries over to the next call). */
function compress(deflate: DeflateRaw, text: string): Promise<Buffer> {
  const out: Buffer[] = [];
  const collect = (chunk: Buffer) => out.push(chunk);
  deflate.on('data', collect);
  deflate.write(text);
  return new Promise((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve(Buffer.concat(out)))).finally(() => deflate.off('data', collect)) as Promise<Buffer>;
}

describe('compression on TCP: where it starts, and input that is not what it claims', () => {
  it('reads the bytes right after the hello frame as compressed, even in the same write', async () => {
    const socket = await rawSocket(server.tcpPort);
    const deflate = createDeflateRaw({ windowBits: DEFLATE_WINDOW_BITS });
    const after = await compress(deflate, '{"cmd":"guest","id":2,"name":"eager"}\n{"cmd":"join","id":3,"room":"#eager"}\n');
    // No wait for the reply: hello and the compressed commands after it in one segment.
    socket.write(Buffer.concat([Buffer.from('{"cmd":"hello","v":1,"id":1,"compress":"deflate"}\n'), after]));
    const lines: string[] = [];
    const inflate = createInflateRaw({ windowBits: DEFLATE_WINDOW_BITS });
    const framer = new LineFramer(MAX_FRAME);
    inflate.on('data', (chunk: Buffer) => lines.push(...framer.push(chunk).map((o) => (o.kind === 'frame' ? Buffer.from(o.bytes).toString() : o.error))));
    let plain = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      if (lines.length > 0) return void inflate.write(chunk);
      plain = Buffer.concat([plain, chunk]);
      const lf = plain.indexOf(0x0a);
      if (lf < 0) return;
      // The hello reply is the last frame sent as it is; its LF is the last plain byte.
      lines.push(plain.subarray(0, lf).toString());
      inflate.write(plain.subarray(lf + 1));
    });
    await waitFor(() => lines.length >= 3, () => `three replies: ${JSON.stringify(lines)}`);
    expect(JSON.parse(lines[0]!)).toMatchObject({ re: 1, ok: true, data: { compress: 'deflate' } });
    expect(JSON.parse(lines[1]!)).toMatchObject({ re: 2, ok: true, data: { name: 'eager' } });
    expect(JSON.parse(lines[2]!)).toMatchObject({ re: 3, ok: true, data: { name: '#eager' } });
  });

  it('closes with BAD_FRAME when what follows the switch is not a deflate stream', async () => {
    const client = track(await DeflateClient.open(server.tcpPort));
    client.writeRaw(Buffer.from('{"cmd":"join","id":9,"room":"#plain-after-all"}\n'));
    const error = await client.event((e) => e.ev === 'error');
    expect(error).toMatchObject({ ev: 'error', error: { code: 1000, name: 'BAD_FRAME' } });
    await client.waitClosed();
    await stillServing();
  });

  it('closes with FRAME_TOO_LARGE at a decompression bomb: one 16 MiB line in about 16 KiB', async () => {
    const client = track(await DeflateClient.open(server.tcpPort));
    // 16 MiB of one byte deflates to about 16 KiB: one line a thousand times the frame limit.
    client.sendPayload(Buffer.alloc(16 * 1024 * 1024, 0x61));
    const error = await client.event((e) => e.ev === 'error', 10_000);
    expect(error).toMatchObject({ error: { code: 1001, name: 'FRAME_TOO_LARGE' } });
    await client.waitClosed();
    expect(client.bytesOut).toBeLessThan(100_000);
    await stillServing();
  });

  it('refuses an unknown compress value with BAD_ARGUMENTS and stays uncompressed', async () => {
    const client = track(await DeflateClient.connect(server.tcpPort));
    for (const compress of ['gzip', true, 'DEFLATE']) {
      const reply = await client.request('hello', { v: 1, compress });
      expect(reply).toMatchObject({ ok: false, error: { code: 1003, name: 'BAD_ARGUMENTS' } });
    }
    expect((await client.request('hello', { v: 1 })).ok).toBe(true);
    expect((await client.request('guest')).ok).toBe(true);
    expect(client.compressed).toBe(false);
  });

  it('refuses compress in a second hello with BAD_ARGUMENTS, whichever way the first one went', async () => {
    const compressed = track(await DeflateClient.open(server.tcpPort));
    const again = await compressed.request('hello', { v: 1, compress: 'deflate' });
    expect(again).toMatchObject({ ok: false, error: { name: 'BAD_ARGUMENTS' } });
    expect((await compressed.request('join', { room: '#twice' })).ok).toBe(true);
    expect(compressed.compressed).toBe(true);

    const plain = track(await DeflateClient.open(server.tcpPort, { compress: false }));
    const late = await plain.request('hello', { v: 1, compress: 'deflate' });
    expect(late).toMatchObject({ ok: false, error: { name: 'BAD_ARGUMENTS' } });
    expect((await plain.request('join', { room: '#twice' })).ok).toBe(true);
    expect(plain.compressed).toBe(false);
  });

  it('never compresses text mode, even when a line looks like a hello asking for it', async () => {
    const person = track(await TextClient.connect({ port: server.tlsPort, tls: true }));
    person.send('REGISTER tilde');
    await person.expect(/^OK welcome tilde/);
    person.send('{"cmd":"hello","v":1,"compress":"deflate"}');
    await person.expect(/^ERR /);
    person.send('JOIN #readable');
    await person.expect(/#readable/);
  });
});

describe('compression on WebSocket: ws enforces the limits', () => {
  it('closes with 1009 when a compressed message inflates past max_frame_bytes', async () => {
    const ws = track(new WebSocket(`ws://127.0.0.1:${server.httpPort}/ws?compress=deflate`, { perMessageDeflate: true }));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ cmd: 'hello', v: 1, client: 'a'.repeat(4 * 1024 * 1024) }));
    expect(await closed).toBe(1009);
    await stillServing();
  });

  it('closes with 1007 when a message marked compressed is not deflate data', async () => {
    const socket = await rawSocket(server.httpPort);
    socket.write(
      'GET /ws?compress=deflate HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`,
    );
    const received = collect(socket);
    await waitFor(() => received().includes('\r\n\r\n'), 'the upgrade response');
    expect(received().toString()).toMatch(/^HTTP\/1\.1 101[\s\S]*permessage-deflate/);
    const upgraded = received().length;
    // FIN, RSV1 (compressed), text; masked, as a client's frames are (RFC 6455 §5.3).
    const payload = Buffer.from([0xff, 0xfe, 0xfd, 0xfc, 0xfb]);
    const mask = randomBytes(4);
    socket.write(Buffer.concat([Buffer.from([0xc1, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ mask[i & 3]!)]));
    await waitFor(() => received().length >= upgraded + 4, 'a close frame');
    const frame = received().subarray(upgraded);
    expect(frame[0]).toBe(0x88);
    expect(frame.readUInt16BE(2)).toBe(1007);
    await stillServing();
  });
});

function collect(socket: Socket): () => Buffer {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  return () => Buffer.concat(chunks);
}
