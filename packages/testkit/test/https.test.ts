import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ParleyClient } from '@parley/client';
import type { ChatMessage } from '@parley/protocol';
import { KnownHosts, nodeTransport, type PinningOptions } from '@parley/client/node';
import { afterEach, describe, expect, it } from 'vitest';
import { launchTestBrowser, signInToWebClient } from '../src/browser.ts';
import { startTestServer, waitFor, type TestServer } from '../src/index.ts';

/**
 * HTTPS on the HTTP listener (`https://host:port` in `http.listen`): the web client, /healthz and
 * `wss://` with the server's certificate, TLS 1.3 only, and the SDK pinning that certificate on
 * `wss://` as it does on `tls://`.
 */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function httpsServer(): Promise<TestServer & { httpsPort: number }> {
  const server = await startTestServer({ http: { listen: ['127.0.0.1:0', 'https://127.0.0.1:0'] } });
  cleanups.push(() => server.stop({ removeData: true }));
  const https = server.server.http.find((a) => a.tls);
  if (!https) throw new Error('no HTTPS listener bound');
  return Object.assign(server, { httpsPort: https.port });
}

function get(port: number, path: string): Promise<{ status: number; body: string; fingerprint: string; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    // The self-signed certificate is checked by its fingerprint below, as a pinning client would.
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (res) => {
      const socket = res.socket as TLSSocket;
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      const protocol = socket.getProtocol();
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, fingerprint, protocol }));
    });
    req.once('error', reject);
    req.end();
  });
}

function tempKnownHosts(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-https-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'known_hosts');
}

function wssClient(port: number, name: string, trust: PinningOptions): ParleyClient & { received: ChatMessage[] } {
  const client = Object.assign(new ParleyClient({ url: `wss://127.0.0.1:${port}/ws`, credentials: { kind: 'guest', name }, transport: nodeTransport(trust), reconnect: false }), {
    received: [] as ChatMessage[],
  });
  client.on('message', (m) => client.received.push(m));
  cleanups.push(() => client.close());
  return client;
}

describe('HTTPS listener', () => {
  it('serves the web client and /healthz over TLS 1.3 with the server certificate, beside plain HTTP', async () => {
    const server = await httpsServer();
    const health = await get(server.httpsPort, '/healthz');
    expect(health).toMatchObject({ status: 200, protocol: 'TLSv1.3', fingerprint: server.server.fingerprint });
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    expect((await get(server.httpsPort, '/')).body).toMatch(/<!doctype html>/i);
    expect((await get(server.httpsPort, '/about')).body).toContain(`wss://127.0.0.1:${server.httpsPort}/ws`);
    expect(server.server.context.listeners).toContain(`https://127.0.0.1:${server.httpsPort}`);
    // The plain listener still answers plain HTTP.
    const plain = await fetch(`http://127.0.0.1:${server.httpPort}/healthz`);
    expect(plain.status).toBe(200);
  });

  it('drops plain HTTP, TLS below 1.3 and garbage on the HTTPS port, and keeps serving', async () => {
    const server = await httpsServer();
    const closedWith = (send: (socket: Socket) => void) =>
      new Promise<string>((resolve) => {
        const socket = netConnect({ host: '127.0.0.1', port: server.httpsPort }, () => send(socket));
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(received));
      });
    expect(await closedWith((s) => s.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n'))).not.toContain('200 OK');
    expect(await closedWith((s) => s.write(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3])))).not.toContain('HTTP/1.1');
    const oldTls = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: server.httpsPort, rejectUnauthorized: false, maxVersion: 'TLSv1.2' }, () => resolve('connected'));
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(oldTls).not.toBe('connected');
    expect((await get(server.httpsPort, '/healthz')).status).toBe(200);
  });

  it('lets SDK clients chat over wss://, pinning the self-signed certificate like tls://', async () => {
    const server = await httpsServer();
    const knownHosts = tempKnownHosts();
    const hostPort = `127.0.0.1:${server.httpsPort}`;

    await expect(wssClient(server.httpsPort, 'stranger', { knownHosts: new KnownHosts(knownHosts) }).connect()).rejects.toMatchObject({ errorName: 'HOST_UNKNOWN' });
    const alice = wssClient(server.httpsPort, 'alice', { knownHosts: new KnownHosts(knownHosts), acceptNew: true });
    await alice.connect();
    expect(readFileSync(knownHosts, 'utf8')).toContain(`${hostPort} ${server.server.fingerprint}`);
    const bob = wssClient(server.httpsPort, 'bob', { knownHosts: new KnownHosts(knownHosts) });
    await bob.connect();
    await alice.send('#general', 'over wss');
    await bob.send('alice', 'a DM over wss');
    await waitFor(() => bob.received.some((m) => m.text === 'over wss'), 'bob to get the room message');
    await waitFor(() => alice.received.some((m) => m.text === 'a DM over wss'), 'alice to get the DM');

    // Another certificate at the same address is refused before anything is sent.
    writeFileSync(knownHosts, `${hostPort} ${'AB:'.repeat(31)}AB\n`);
    await expect(wssClient(server.httpsPort, 'carol', { knownHosts: new KnownHosts(knownHosts) }).connect()).rejects.toMatchObject({ errorName: 'HOST_KEY_CHANGED' });
    expect([...server.server.context.sessions].map((s) => s.user?.name).sort()).toEqual(['alice', 'bob']);
  });

  it('serves the web client over HTTPS, which then chats over wss://', async () => {
    const server = await httpsServer();
    const browser = await launchTestBrowser();
    cleanups.push(() => browser.close());
    const problems: string[] = [];
    const { page, context } = await signInToWebClient(browser, { port: server.httpsPort, https: true, name: 'webby', problems });
    cleanups.push(() => context.close());
    const bob = wssClient(server.httpsPort, 'bob', { acceptNew: true, knownHosts: new KnownHosts(tempKnownHosts()) });
    await bob.connect();
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('hello from an https page');
    await input.press('Enter');
    await waitFor(() => bob.received.some((m) => m.from === 'webby' && m.text === 'hello from an https page'), 'bob to get the browser message');
    const sessions = [...server.server.context.sessions].filter((s) => s.user?.name === 'webby');
    expect(sessions.map((s) => s.transport.kind)).toEqual(['ws']);
    expect(problems).toEqual([]);
  });
});
