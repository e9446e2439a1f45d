import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ParleyClient, type ClientOptions } from '@parley/client';
import { KnownHosts, nodeTransport } from '@parley/client/node';
import type { ChatMessage } from '@parley/protocol';
import { FrameClient, startTestServer, waitFor, type TestServer } from '../src/index.ts';
import { DeflateClient } from './deflate-client.ts';

/**
 * Compression negotiated at hello (docs/protocol.md, "Compression"): compressed TCP, TLS and
 * WebSocket sessions beside uncompressed ones in one room, the bytes it saves, and a server
 * that does not allow it.
 */
const cleanups: (() => unknown)[] = [];
let knownHostsDir: string;

beforeAll(() => {
  knownHostsDir = mkdtempSync(join(tmpdir(), 'parley-compress-'));
});
afterAll(() => rmSync(knownHostsDir, { recursive: true, force: true }));
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(settings: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const started = await startTestServer(settings);
  cleanups.push(() => started.stop({ removeData: true }));
  return started;
}

function sdk(url: string, name: string, options: Partial<ClientOptions> = {}): ParleyClient {
  const client = new ParleyClient({ url, credentials: { kind: 'guest', name }, transport: nodeTransport({ knownHosts: new KnownHosts(join(knownHostsDir, `${name}-known_hosts`)), acceptNew: true }), reconnect: false, ...options });
  cleanups.push(() => client.close());
  return client;
}

function track<T extends { close(): void }>(closeable: T): T {
  cleanups.push(() => closeable.close());
  return closeable;
}

function heard(client: ParleyClient): ChatMessage[] {
  const messages: ChatMessage[] = [];
  client.on('message', (m) => messages.push(m));
  return messages;
}

const texts = (messages: readonly ChatMessage[]) => messages.map((m) => `${m.from}: ${m.text}`).sort();

describe('compression negotiated at hello', () => {
  it('a compressed TCP session and a compressed TLS session talk with an uncompressed one in the same room', async () => {
    const s = await server();
    const alice = sdk(`tcp://127.0.0.1:${s.tcpPort}`, 'alice', { compress: true });
    const bob = sdk(`tls://127.0.0.1:${s.tlsPort}`, 'bob', { compress: true });
    const carol = sdk(`tcp://127.0.0.1:${s.tcpPort}`, 'carol');
    await Promise.all([alice.connect(), bob.connect(), carol.connect()]);
    expect([alice.compression, bob.compression, carol.compression]).toEqual(['deflate', 'deflate', undefined]);
    const heardBy = { alice: heard(alice), bob: heard(bob), carol: heard(carol) };
    for (const c of [alice, bob, carol]) await c.join('#mixed');
    // A raw MessagePack client too: the switch point is the same for length-prefixed frames.
    const dave = track(await DeflateClient.open(s.tcpPort, { codec: 'msgpack', name: 'dave' }));
    expect(dave.compressed).toBe(true);
    expect((await dave.request('join', { room: '#mixed' })).ok).toBe(true);

    await alice.send('#mixed', 'from a compressed TCP session');
    await bob.send('#mixed', 'from a compressed TLS session');
    await carol.send('#mixed', 'from an uncompressed session');
    expect((await dave.request('send', { to: '#mixed', text: 'from compressed MessagePack' })).ok).toBe(true);
    const all = ['alice: from a compressed TCP session', 'bob: from a compressed TLS session', 'carol: from an uncompressed session', 'dave: from compressed MessagePack'];
    for (const [name, messages] of Object.entries(heardBy)) {
      await waitFor(() => messages.length === 3, () => `${name} to hear the other three: ${JSON.stringify(texts(messages))}`);
      expect(texts(messages)).toEqual(all.filter((line) => !line.startsWith(`${name}:`)));
    }
    for (const from of ['alice', 'bob', 'carol']) await dave.event((e) => e.ev === 'message' && e.from === from);
    // History, a bigger reply, arrives whole through the compressed stream.
    const page = await bob.history('#mixed');
    expect(page.messages.map((m) => m.text)).toEqual(['from a compressed TCP session', 'from a compressed TLS session', 'from an uncompressed session', 'from compressed MessagePack']);
  });

  it('uses permessage-deflate on a WebSocket whose URL asks for it, and reports it in the hello reply', async () => {
    const s = await server();
    const wsAlice = sdk(`ws://127.0.0.1:${s.httpPort}/ws`, 'wsalice', { compress: true });
    const wsBob = sdk(`ws://127.0.0.1:${s.httpPort}/ws`, 'wsbob');
    const tcp = sdk(`tcp://127.0.0.1:${s.tcpPort}`, 'tcpcarol', { compress: true });
    await Promise.all([wsAlice.connect(), wsBob.connect(), tcp.connect()]);
    expect([wsAlice.compression, wsBob.compression, tcp.compression]).toEqual(['deflate', undefined, 'deflate']);
    const heardBy = [heard(wsAlice), heard(wsBob), heard(tcp)];
    for (const c of [wsAlice, wsBob, tcp]) await c.join('#ws');
    await wsAlice.send('#ws', 'compressed over WebSocket');
    await wsBob.send('#ws', 'plain over WebSocket');
    await tcp.send('#ws', 'compressed over TCP');
    for (const messages of heardBy) await waitFor(() => messages.length === 2, 'each to hear the other two');
    expect(texts(heardBy[0]!)).toEqual(['tcpcarol: compressed over TCP', 'wsbob: plain over WebSocket']);

    // The extension itself: negotiated only where the URL asks, though ws offers it on both.
    const asked = track(await openWs(`ws://127.0.0.1:${s.httpPort}/ws?compress=deflate`));
    const notAsked = track(await openWs(`ws://127.0.0.1:${s.httpPort}/ws`));
    // The windows the server picks: 2^11 for its own, and for the client's where the offer lets
    // it choose (ws and Chrome do; Firefox's offer does not, and its client keeps its own).
    expect(asked.agreed).toBe('permessage-deflate; client_max_window_bits=11; server_max_window_bits=11');
    expect(await agreedTo(s.httpPort, 'permessage-deflate; client_max_window_bits')).toBe('permessage-deflate; client_max_window_bits=11; server_max_window_bits=11');
    expect(await agreedTo(s.httpPort, 'permessage-deflate')).toBe('permessage-deflate; server_max_window_bits=11');
    expect(notAsked.agreed).toBe('');
  });

  it('sends fewer bytes for repetitive messages, on TCP and on WebSocket', async () => {
    const s = await server({ limits: { messages_per_minute: 600, message_burst: 100 } });
    const plain = track(await DeflateClient.open(s.tcpPort, { compress: false, name: 'plain' }));
    const squeezed = track(await DeflateClient.open(s.tcpPort, { name: 'squeezed' }));
    const wsPlain = track(await countingWs(`ws://127.0.0.1:${s.httpPort}/ws`, 'wsplain'));
    const wsSqueezed = track(await countingWs(`ws://127.0.0.1:${s.httpPort}/ws?compress=deflate`, 'wssqueezed'));
    for (const c of [plain, squeezed]) expect((await c.request('join', { room: '#bytes' })).ok).toBe(true);
    const sender = track(await FrameClient.open({ transport: 'tcp', codec: 'json', port: s.tcpPort }, { cmd: 'guest', name: 'sender' }));
    await sender.ok('join', { room: '#bytes' });
    const before = [plain.bytesIn, squeezed.bytesIn, wsPlain.bytesIn(), wsSqueezed.bytesIn()];
    const text = 'The build is green again; the deploy to staging starts at five. '.repeat(4);
    for (let i = 0; i < 20; i++) await sender.ok('send', { to: '#bytes', text: `${i} ${text}` });
    const last = (c: DeflateClient) => c.frames.some((f) => 'ev' in f && f.ev === 'message' && f.text.startsWith('19 '));
    await waitFor(() => last(plain) && last(squeezed), 'both TCP receivers to have all 20');
    await waitFor(() => [wsPlain, wsSqueezed].every((c) => c.messages.length === 20), 'both WebSocket receivers to have all 20');
    const [tcpPlain, tcpSqueezed, wsPlainBytes, wsSqueezedBytes] = [plain.bytesIn, squeezed.bytesIn, wsPlain.bytesIn(), wsSqueezed.bytesIn()].map((n, i) => n - before[i]!) as [number, number, number, number];
    // About 370 bytes an event uncompressed, 32 compressed: what repeats within and across events goes.
    expect(tcpSqueezed).toBeLessThan(tcpPlain / 4);
    expect(wsSqueezedBytes).toBeLessThan(wsPlainBytes / 3);
  });

  it("gives a compressed SDK connection the server's last words before it closes", async () => {
    // One message a minute and one strike: the second send is refused, and the connection closed for flooding.
    const s = await server({ limits: { messages_per_minute: 1, message_burst: 1, flood_disconnect_after: 1 } });
    const flooder = sdk(`tls://127.0.0.1:${s.tlsPort}`, 'flooder', { compress: true });
    await flooder.connect();
    expect(flooder.compression).toBe('deflate');
    const errors: string[] = [];
    flooder.on('error', (error) => errors.push(String(error.errorName)));
    await flooder.join('#flood');
    await flooder.send('#flood', 'one');
    // The SDK retries it; the connection closes first.
    await flooder.send('#flood', 'two').catch(() => undefined);
    await waitFor(() => flooder.state === 'closed', 'the client to see the connection close');
    expect(errors).toContain('FLOODING');
  });

  it('with limits.compression off, hello asking for it gets a reply without compress, and nothing changes', async () => {
    const s = await server({ limits: { compression: false } });
    const raw = track(await DeflateClient.open(s.tcpPort, { name: 'raw' }));
    expect(raw.compressed).toBe(false);
    const hello = raw.frames.find((f) => 're' in f && f.re === 1);
    expect(hello).toMatchObject({ ok: true, data: { protocol: 1 } });
    expect((hello as { data: Record<string, unknown> }).data).not.toHaveProperty('compress');
    expect((await raw.request('join', { room: '#off' })).ok).toBe(true);

    const viaSdk = sdk(`tls://127.0.0.1:${s.tlsPort}`, 'viasdk', { compress: true });
    const viaWs = sdk(`ws://127.0.0.1:${s.httpPort}/ws`, 'viaws', { compress: true });
    await Promise.all([viaSdk.connect(), viaWs.connect()]);
    expect([viaSdk.compression, viaWs.compression]).toEqual([undefined, undefined]);
    const messages = heard(viaWs);
    await viaSdk.join('#off');
    await viaWs.join('#off');
    await viaSdk.send('#off', 'still plain');
    await waitFor(() => messages.length === 1, 'the message over the uncompressed WebSocket');
    const ws = track(await openWs(`ws://127.0.0.1:${s.httpPort}/ws?compress=deflate`));
    expect(ws.agreed).toBe('');
  });
});

/** A `ws` client offering permessage-deflate (as ws does by default); `agreed` is the server's Sec-WebSocket-Extensions. */
function openWs(url: string): Promise<WebSocket & { agreed: string }> {
  const ws = Object.assign(new WebSocket(url, { perMessageDeflate: true }), { agreed: '' });
  ws.once('upgrade', (response) => (ws.agreed = String(response.headers['sec-websocket-extensions'] ?? '')));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** The Sec-WebSocket-Extensions a raw handshake asking for compression gets back for a browser's exact offer. */
async function agreedTo(port: number, offer: string): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port });
  let response = '';
  socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
  socket.write(`GET /ws?compress=deflate HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: ${offer}\r\n\r\n`);
  await waitFor(() => response.includes('\r\n\r\n'), 'the upgrade response');
  socket.destroy();
  return /^sec-websocket-extensions: (.*)$/im.exec(response)?.[1]?.trim() ?? '';
}

interface CountingWs {
  /** Bytes the server sent, as they crossed the wire (counted by a TCP proxy in between). */
  bytesIn(): number;
  request(frame: Record<string, unknown>): void;
  readonly messages: string[];
  close(): void;
}

/** A JSON WebSocket client through a counting TCP proxy; `ws` offers permessage-deflate, the URL decides whether the server takes it. */
async function countingWs(url: string, name: string): Promise<CountingWs> {
  const target = new URL(url);
  let bytesIn = 0;
  const proxy: Server = createServer((downstream: Socket) => {
    const upstream = connect({ host: '127.0.0.1', port: Number(target.port) });
    upstream.on('data', (chunk: Buffer) => (bytesIn += chunk.length));
    for (const s of [downstream, upstream]) s.on('error', () => s.destroy());
    downstream.pipe(upstream).pipe(downstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const ws = await openWs(`ws://127.0.0.1:${(proxy.address() as AddressInfo).port}${target.pathname}${target.search}`);
  const messages: string[] = [];
  let replies = 0;
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as { ev?: string; text?: string; re?: number };
    if (frame.ev === 'message') messages.push(frame.text ?? '');
    if (frame.re !== undefined) replies += 1;
  });
  const request = (frame: Record<string, unknown>) => ws.send(JSON.stringify(frame));
  request({ cmd: 'hello', v: 1, id: 1, ...(target.search ? { compress: 'deflate' } : {}) });
  request({ cmd: 'guest', id: 2, name });
  request({ cmd: 'join', id: 3, room: '#bytes' });
  await waitFor(() => replies === 3, `${name}'s hello, guest and join`);
  return {
    bytesIn: () => bytesIn,
    request,
    messages,
    close() {
      ws.close();
      proxy.close();
    },
  };
}
