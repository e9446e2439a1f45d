import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { ParleyClient, ParleyClientError, type ClientEvent, type ClientEvents, type ClientOptions, type ClientReceipt, type Credentials } from '@parley/client';
import { defaultKnownHostsFile, KnownHosts, nodeTransport, type PeerCertificateInfo, type PinningOptions } from '@parley/client/node';
import type { ChatMessage } from '@parley/protocol';
import { startTestServer, type TestServer, waitFor, sleep } from '../src/index.ts';

/** The SDK against a real server: each scheme, typed errors, timeouts, TLS pinning, the event stream, the example bot. */
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const cleanups: (() => unknown)[] = [];

beforeAll(() => {
  // Anything that falls back to the default known_hosts file stays out of ~/.parley.
  const dir = mkdtempSync(join(tmpdir(), 'parley-kh-'));
  process.env.PARLEY_KNOWN_HOSTS = join(dir, 'known_hosts');
  return () => rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(settings: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const started = await startTestServer(settings);
  cleanups.push(() => started.stop({ removeData: true }));
  return started;
}

function tempFile(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-sdk-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, name);
}

function client(url: string, credentials: Credentials, { trust = {}, options = {} }: { trust?: PinningOptions; options?: Partial<ClientOptions> } = {}): ParleyClient {
  const created = new ParleyClient({ url, credentials, transport: nodeTransport({ knownHosts: new KnownHosts(tempFile('known_hosts')), ...trust }), ...options });
  cleanups.push(() => created.close());
  return created;
}

function record(c: ParleyClient): { messages: ChatMessage[]; events: ClientEvent[] } {
  const messages: ChatMessage[] = [];
  const events: ClientEvent[] = [];
  const names: (keyof ClientEvents)[] = ['message', 'join', 'part', 'topic', 'room_deleted', 'presence', 'nick', 'notice', 'error', 'state'];
  for (const type of names) c.on(type, (data) => events.push({ type, data } as ClientEvent));
  c.on('message', (m) => messages.push(m));
  return { messages, events };
}

const until = <T>(what: string | (() => string), check: () => T, timeoutMs?: number) => waitFor(check, what, timeoutMs);

/** Fails instead of hanging when a promise never settles. */
function settled<T>(promise: Promise<T>, ms = 3000): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`did not settle within ${ms} ms`)))]);
}

const urlFor = (s: TestServer, scheme: 'tls' | 'tcp' | 'ws') =>
  scheme === 'tls' ? `tls://127.0.0.1:${s.tlsPort}` : scheme === 'tcp' ? `tcp://127.0.0.1:${s.tcpPort}` : `ws://127.0.0.1:${s.httpPort}/ws`;

describe.each(['tls', 'tcp', 'ws'] as const)('SDK over %s://', (scheme) => {
  it('two clients exchange room messages and DMs; sends resolve with receipts', async () => {
    const s = await server();
    const alice = client(urlFor(s, scheme), { kind: 'guest', name: 'alice' }, { trust: { acceptNew: true } });
    const bob = client(urlFor(s, scheme), { kind: 'guest', name: 'bob' }, { trust: { acceptNew: true } });
    const [a, b] = [record(alice), record(bob)];
    const me = await alice.connect();
    expect(me).toMatchObject({ name: 'alice', kind: 'guest' });
    expect(me.rooms.map((r) => r.name)).toContain('#general');
    await bob.connect();
    expect(alice.state).toBe('connected');

    await alice.join('#sdk');
    const joined = await bob.join('#sdk');
    expect(joined).toMatchObject({ name: '#sdk', conv: '#sdk', lastSeq: 0 });
    const joinEvent = await until('alice to see bob join', () => a.events.find((e) => e.type === 'join' && e.data.user === 'bob'));
    expect(joinEvent.data).toEqual({ room: '#sdk', user: 'bob' });

    const sent = await alice.send('#sdk', 'hello room');
    expectTypeOf(sent).toEqualTypeOf<ClientReceipt[]>();
    // The server's receipt, with the client message id the SDK sent it under.
    expect(sent).toEqual([{ to: '#sdk', conv: '#sdk', seq: 1, duplicate: false, cmid: expect.stringMatching(/^[0-9a-f]{24}$/) }]);
    const inRoom = await until('bob to get the room message', () => b.messages.find((m) => m.text === 'hello room'));
    expectTypeOf(inRoom).toEqualTypeOf<ChatMessage>();
    expect(inRoom).toMatchObject({ from: 'alice', to: '#sdk', conv: '#sdk', seq: 1 });

    const [dm] = await bob.send('alice', 'psst');
    expect(dm).toMatchObject({ to: 'alice', seq: 1, duplicate: false });
    expect(dm!.conv).toMatch(/^dm:/);
    const gotDm = await until('alice to get the DM', () => a.messages.find((m) => m.text === 'psst'));
    expect(gotDm).toMatchObject({ from: 'bob', to: 'alice', conv: dm!.conv, seq: dm!.seq });

    const [reply] = await alice.send(['bob'], 'and back');
    expect(reply).toMatchObject({ to: 'bob', conv: dm!.conv, seq: 2 });
    await until('bob to get the reply', () => b.messages.find((m) => m.text === 'and back'));
    // Senders hear back through the receipt, not an echo event.
    expect(a.messages.map((m) => m.text)).toEqual(['psst']);
    expect(b.messages.map((m) => m.text)).toEqual(['hello room', 'and back']);
  });
});

describe('SDK requests and errors', () => {
  it('rejects with ParleyClientError carrying the registry code, and later requests still work', async () => {
    const s = await server();
    const alice = client(urlFor(s, 'tcp'), { kind: 'guest', name: 'alice' });
    await alice.connect();
    const badRoom = await alice.join('#bad name').catch((e: unknown) => e);
    expect(badRoom).toBeInstanceOf(ParleyClientError);
    expect(badRoom).toMatchObject({ code: 3004, errorName: 'ROOM_INVALID', action: 'fix', name: 'ParleyClientError' });
    await expect(alice.send('nobody', 'hello?')).rejects.toMatchObject({ code: 3000, errorName: 'NO_SUCH_USER' });
    await expect(alice.send('#nowhere', 'hi')).rejects.toMatchObject({ code: 3001, errorName: 'NO_SUCH_ROOM' });
    await expect(alice.send('#general', '   ')).rejects.toMatchObject({ code: 3006, errorName: 'TEXT_EMPTY' });
    // A refused send does not block the outbox.
    expect(await alice.send('#general', 'still here')).toMatchObject([{ to: '#general', duplicate: false }]);
    const who = await alice.request('who', { room: '#general' });
    expectTypeOf(who.members[0]).toEqualTypeOf<{ name: string; status: 'online' | 'away' | 'offline'; kind: 'account' | 'guest'; role?: 'owner' | 'moderator'; muted?: true; server?: string } | undefined>();
    expect(who.members.map((m) => m.name)).toEqual(['alice']);
  });

  it('after close(), requests and sends reject with CLOSED instead of hanging', async () => {
    const s = await server();
    const alice = client(urlFor(s, 'tcp'), { kind: 'guest', name: 'alice' });
    await alice.connect();
    await alice.close();
    await until('the closed state', () => alice.state === 'closed');
    await expect(settled(alice.request('ping', {}))).rejects.toMatchObject({ errorName: 'CLOSED' });
    await expect(settled(alice.send('#general', 'after close'))).rejects.toMatchObject({ errorName: 'CLOSED' });
  });

  it('rejects a wrong password at connect and does not retry it', async () => {
    const s = await server();
    const owner = client(urlFor(s, 'tcp'), { kind: 'register', name: 'carol', password: 'correct-horse' });
    await owner.connect();
    const intruder = client(urlFor(s, 'tcp'), { kind: 'login', name: 'carol', password: 'wrong-password' });
    const { events } = record(intruder);
    await expect(intruder.connect()).rejects.toMatchObject({ code: 2002, errorName: 'BAD_CREDENTIALS' });
    expect(intruder.state).toBe('closed');
    await sleep(200);
    expect(events.filter((e) => e.type === 'state').map((e) => e.data.state)).toEqual(['connecting', 'closed']);
  });

  it('nothing hangs: a silent server gives TIMEOUT, a closed port CONNECT_FAILED', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.resume(); // read and drop what the client says, so its end of the stream is seen
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => (sockets.forEach((x) => x.destroy()), silent.close(resolve))));
    const port = (silent.address() as AddressInfo).port;

    const c = client(`tcp://127.0.0.1:${port}`, { kind: 'guest' }, { options: { requestTimeoutMs: 300 } });
    const error = await settled(c.connect().catch((e: unknown) => e));
    expect(error).toBeInstanceOf(ParleyClientError);
    expect(error).toMatchObject({ errorName: 'TIMEOUT', code: undefined, action: 'retry' });
    expect(c.state).toBe('closed');
    await expect(settled(c.request('ping', {}))).rejects.toMatchObject({ errorName: 'CLOSED' });
    // The abandoned connection is closed too, so it cannot keep a process alive.
    await until('the SDK to close its socket to the silent server', () => sockets.length === 1 && (sockets[0]!.readableEnded || sockets[0]!.destroyed), 3000);

    await new Promise((resolve) => silent.close(resolve));
    for (const socket of sockets) socket.destroy();
    const refused = client(`tcp://127.0.0.1:${port}`, { kind: 'guest' }, { options: { requestTimeoutMs: 300 } });
    await expect(settled(refused.connect())).rejects.toMatchObject({ errorName: 'CONNECT_FAILED', action: 'retry' });
  });
});

describe('SDK TLS trust', () => {
  it('pins a self-signed certificate like SSH and refuses a changed one', async () => {
    const knownHosts = tempFile('known_hosts');
    const first = await startTestServer();
    let firstStopped = false;
    cleanups.push(() => (firstStopped ? undefined : first.stop({ removeData: true })));
    const port = first.tlsPort;
    const url = `tls://127.0.0.1:${port}`;
    const hostPort = `127.0.0.1:${port}`;
    const guest: Credentials = { kind: 'guest', name: 'alice' };

    await expect(client(url, guest, { trust: { knownHosts: new KnownHosts(knownHosts) } }).connect()).rejects.toMatchObject({ errorName: 'HOST_UNKNOWN', action: 'stop' });
    expect(existsSync(knownHosts)).toBe(false);
    const asked: PeerCertificateInfo[] = [];
    const declined = client(url, guest, { trust: { knownHosts: new KnownHosts(knownHosts), confirmNew: async (peer) => (asked.push(peer), false) } });
    await expect(declined.connect()).rejects.toMatchObject({ errorName: 'HOST_UNKNOWN' });
    expect(asked).toEqual([{ hostPort, fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/), caVerified: false }]);
    const fingerprint = asked[0]!.fingerprint;

    const accepted = client(url, guest, { trust: { knownHosts: new KnownHosts(knownHosts), acceptNew: true } });
    await accepted.connect();
    expect(readFileSync(knownHosts, 'utf8').split('\n')).toContain(`${hostPort} ${fingerprint}`);
    await accepted.close();
    // Pinned now: no flag needed.
    const again = client(url, guest, { trust: { knownHosts: new KnownHosts(knownHosts) } });
    await again.connect();
    await again.close();

    await first.stop({ removeData: true });
    firstStopped = true;
    const changed = await server({ tcp: { listen: [hostPort, 'tcp://127.0.0.1:0'] } });
    const victim = client(url, guest, { trust: { knownHosts: new KnownHosts(knownHosts), acceptNew: true } });
    const { events } = record(victim);
    const error = await victim.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ errorName: 'HOST_KEY_CHANGED', action: 'stop' });
    expect((error as Error).message).toContain(fingerprint);
    expect(victim.state).toBe('closed');
    expect(events.some((e) => e.type === 'state' && e.data.state === 'connected')).toBe(false);
    expect(new KnownHosts(knownHosts).lookup(hostPort)).toBe(fingerprint);
    // It never logged in: the name is free on the new server.
    const probe = client(urlFor(changed, 'tcp'), { kind: 'guest', name: 'probe' });
    await probe.connect();
    expect((await probe.request('list', {})).users.map((u) => u.name)).toEqual(['probe']);
  });

  it('uses PARLEY_KNOWN_HOSTS as the default file', () => {
    expect(defaultKnownHostsFile()).toBe(process.env.PARLEY_KNOWN_HOSTS);
    expect(new KnownHosts().file).toBe(process.env.PARLEY_KNOWN_HOSTS);
  });
});

describe('SDK event stream', () => {
  it('events() yields the same events as on(), and ends when the client closes', async () => {
    const s = await server();
    const alice = client(urlFor(s, 'ws'), { kind: 'guest', name: 'alice' });
    const { events: viaOn } = record(alice);
    const viaIterator: ClientEvent[] = [];
    const consumed = (async () => {
      for await (const event of alice.events()) viaIterator.push(event);
    })();
    await alice.connect();
    const bob = client(urlFor(s, 'tcp'), { kind: 'guest', name: 'bob' });
    await bob.connect();
    await bob.send('#general', 'hi all');
    await bob.send('alice', 'hi alice');
    await bob.request('topic', { room: '#general', topic: 'testing' });
    await bob.request('nick', { name: 'robert' });
    await until('alice to see the nick change', () => viaOn.find((e) => e.type === 'nick'));
    await alice.close();
    await settled(consumed);
    expect(viaIterator).toEqual(viaOn);
    const types = viaIterator.map((e) => e.type);
    for (const type of ['state', 'presence', 'message', 'topic', 'nick'] as const) expect(types).toContain(type);
    expect(viaIterator.at(-1)).toEqual({ type: 'state', data: { state: 'closed' } });
    const message = viaIterator.find((e) => e.type === 'message');
    if (message?.type === 'message') expectTypeOf(message.data).toEqualTypeOf<ChatMessage & { encrypted?: true }>();
  });
});

describe('examples/echo-bot.ts', () => {
  it('answers !ping in the room', async () => {
    const s = await server();
    const knownHosts = tempFile('known_hosts');
    const bot = spawn(process.execPath, ['--import', 'tsx', 'examples/echo-bot.ts', urlFor(s, 'tls'), '--accept-new'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PARLEY_KNOWN_HOSTS: knownHosts },
    });
    let output = '';
    bot.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    bot.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => bot.once('exit', (code) => resolve(code)));
    cleanups.push(() => (bot.exitCode === null && bot.signalCode === null ? (bot.kill('SIGKILL'), exited) : undefined));
    await until(() => `the bot to connect; output:\n${output}`, () => output.includes('connected'), 20_000);

    const alice = client(urlFor(s, 'tcp'), { kind: 'guest', name: 'alice' });
    const { messages } = record(alice);
    await alice.connect();
    await alice.send('#general', 'hello bot');
    await alice.send('#general', '!ping');
    const pong = await until('the bot to reply', () => messages.find((m) => m.from === 'echo-bot'));
    expect(pong).toMatchObject({ to: '#general', text: 'pong, alice!' });
    expect(readFileSync(knownHosts, 'utf8')).toContain(`127.0.0.1:${s.tlsPort} `);
    bot.kill('SIGTERM');
    expect(await settled(exited, 5000)).toBe(0);
    expect(messages.filter((m) => m.from === 'echo-bot')).toHaveLength(1);
  });
});
