import { createServer, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameClient, startTestServer, type TestServer, waitFor } from '../src/index.ts';

/** The HTTP side: health, Prometheus metrics, the info page, the WebSocket endpoint's refusals; dual-stack TLS. */
const servers: TestServer[] = [];
const clients: FrameClient[] = [];
const sockets: Socket[] = [];

async function start(settings: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const server = await startTestServer({ limits: { messages_per_minute: 60_000, message_burst: 10_000 }, ...settings });
  servers.push(server);
  return server;
}
async function open(options: Parameters<typeof FrameClient.open>[0], login?: Parameters<typeof FrameClient.open>[1]): Promise<FrameClient> {
  const client = await FrameClient.open(options, login);
  clients.push(client);
  return client;
}
const get = (server: TestServer, path: string) => fetch(`http://127.0.0.1:${server.httpPort}${path}`);

/** Sum of every sample of a metric (all label sets), or undefined when it has no sample. */
function sample(body: string, name: string, labels = ''): number | undefined {
  const values = body
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .filter((line) => labels === '' || line.includes(labels))
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}
const until = (check: () => Promise<boolean>, what: string) => waitFor(check, what, 5000);
function peerFingerprint(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.once('error', reject);
  });
}
async function canListen(host: string): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen({ host, port: 0, ipv6Only: true }, () => probe.close(() => resolve(true)));
  });
}
const IPV6 = await canListen('::1');

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await server.stop({ removeData: true });
});

describe('HTTP endpoints', () => {
  it('GET /healthz answers 200 JSON with status ok and live counts', async () => {
    const server = await start();
    await open({ transport: 'ws', codec: 'json', port: server.httpPort });
    const res = await get(server, '/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ status: 'ok', version: expect.any(String), connections: 1, usersOnline: 1, rooms: 1 });
  });

  it('GET /metrics is Prometheus text whose values move with logins, messages and disconnects', async () => {
    const server = await start();
    const scrape = async () => {
      const res = await get(server, '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      return res.text();
    };
    const before = await scrape();
    for (const name of [
      'parley_connections', 'parley_logins_total', 'parley_messages_total', 'parley_deliveries_total',
      'parley_outbound_queue_bytes', 'parley_disconnects_total', 'parley_store_write_seconds',
    ]) {
      expect(before).toContain(`# TYPE ${name} `);
    }
    expect(sample(before, 'parley_connections')).toBe(0);
    expect(sample(before, 'parley_logins_total') ?? 0).toBe(0);
    expect(sample(before, 'parley_outbound_queue_bytes')).toBe(0);

    const tls = await open({ transport: 'tls', codec: 'json', port: server.tlsPort }, { cmd: 'guest', name: 'alice' });
    const ws = await open({ transport: 'ws', codec: 'msgpack', port: server.httpPort }, { cmd: 'register', name: 'bob', password: 'metrics-password' });
    const tcp = await open({ transport: 'tcp', codec: 'msgpack', port: server.tcpPort }, { cmd: 'guest' });
    await tls.ok('send', { to: '#general', text: 'one' });
    await tls.ok('send', { to: ['bob', 'guest0001'], text: 'two' });
    await ws.ok('send', { to: 'ALL', text: 'three' });
    await Promise.all([tcp.ok('ping'), ws.ok('ping')]);

    const after = await scrape();
    expect(sample(after, 'parley_connections', 'transport="tls"')).toBe(1);
    expect(sample(after, 'parley_connections', 'transport="ws"')).toBe(1);
    expect(sample(after, 'parley_connections', 'transport="tcp"')).toBe(1);
    expect(sample(after, 'parley_logins_total', 'kind="guest"')).toBe(2);
    expect(sample(after, 'parley_logins_total', 'kind="account"')).toBe(1);
    expect(sample(after, 'parley_messages_total')).toBe(4);
    // #general to bob and guest0001, one DM each, ALL to alice and guest0001: at least 6 deliveries.
    expect(sample(after, 'parley_deliveries_total')).toBeGreaterThanOrEqual(6);
    expect(sample(after, 'parley_store_write_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'parley_store_write_seconds_sum')).toBeGreaterThan(0);

    tcp.close();
    await until(async () => (sample(await scrape(), 'parley_disconnects_total', 'reason="eof"') ?? 0) === 1, 'a counted disconnect');
    expect(sample(await scrape(), 'parley_connections')).toBe(2);
  });

  it('counts bytes waiting for a client that does not read in parley_outbound_queue_bytes', async () => {
    const server = await start({ limits: { messages_per_minute: 60_000, message_burst: 10_000, outbound_queue_bytes: 256 * 1024 * 1024, max_text_bytes: 60_000 } });
    const stalled = await new Promise<Socket>((resolve) => {
      const socket = netConnect({ host: '127.0.0.1', port: server.tcpPort }, () => resolve(socket));
    });
    sockets.push(stalled);
    stalled.write('{"cmd":"hello","v":1,"id":1}\n{"cmd":"guest","name":"sloth","id":2}\n');
    await new Promise<void>((resolve) => stalled.once('data', () => resolve()));
    stalled.pause();
    const sender = await open({ transport: 'tls', codec: 'json', port: server.tlsPort }, { cmd: 'guest', name: 'sender' });
    const text = 'x'.repeat(50_000);
    let queued = 0;
    for (let round = 0; round < 40 && queued === 0; round++) {
      await Promise.all(Array.from({ length: 20 }, () => sender.ok('send', { to: 'sloth', text })));
      queued = sample(await (await get(server, '/metrics')).text(), 'parley_outbound_queue_bytes') ?? 0;
    }
    expect(queued).toBeGreaterThan(0);
  });

  // `/` is the web client once built (web.test.ts); the info page is always at /about.
  it('GET /about is an HTML page with the server name, a CSP header and the TLS fingerprint', async () => {
    const server = await start({ server_name: 'Test <Parley> & co' });
    const res = await get(server, '/about');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('Test &#60;Parley&#62; &#38; co');
    expect(html).not.toContain('<Parley>');
    const fingerprint = server.server.fingerprint;
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(html).toContain(fingerprint);
    // The page shows the certificate that the TLS port actually serves.
    expect(await peerFingerprint('127.0.0.1', server.tlsPort)).toBe(fingerprint);
  });

  it('GET /about tells people the TLS port the server actually listens on', async () => {
    const server = await start();
    const html = await (await get(server, '/about')).text();
    expect(html).toContain(`openssl s_client -quiet -connect 127.0.0.1:${server.tlsPort}`);
    expect(html).toContain(`ws://127.0.0.1:${server.httpPort}/ws`);
  });

  it('answers 404 for unknown paths and 426 for /ws without an upgrade', async () => {
    const server = await start();
    const missing = await get(server, '/nope');
    expect(missing.status).toBe(404);
    await missing.body?.cancel();
    const ws = await get(server, '/ws');
    expect(ws.status).toBe(426);
    expect(ws.headers.get('upgrade')).toBe('websocket');
    await ws.body?.cancel();
    const post = await fetch(`http://127.0.0.1:${server.httpPort}/`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await post.body?.cancel();
  });
});

describe('dual-stack TLS listeners', () => {
  it('accepts TLS on both [::1] and 127.0.0.1', async (ctx) => {
    ctx.skip(!IPV6, 'IPv6 loopback ::1 is not available on this machine');
    const server = await start({ tcp: { listen: ['[::1]:0', '127.0.0.1:0'] } });
    const v6 = server.server.tcp.find((a) => a.host === '::1');
    const v4 = server.server.tcp.find((a) => a.host === '127.0.0.1');
    expect(v6?.tls).toBe(true);
    expect(v4?.tls).toBe(true);
    const six = await open({ transport: 'tls', codec: 'json', port: v6!.port, host: '::1' }, { cmd: 'guest', name: 'six' });
    const four = await open({ transport: 'tls', codec: 'msgpack', port: v4!.port, host: '127.0.0.1' }, { cmd: 'guest', name: 'four' });
    await six.ok('send', { to: 'four', text: 'hello over IPv6' });
    expect(await four.event((e) => e.ev === 'message')).toMatchObject({ from: 'six', text: 'hello over IPv6' });
    await four.ok('send', { to: 'six', text: 'hello over IPv4' });
    expect(await six.event((e) => e.ev === 'message')).toMatchObject({ from: 'four', text: 'hello over IPv4' });
    expect(await peerFingerprint('::1', v6!.port)).toBe(server.server.fingerprint);
  });
});
