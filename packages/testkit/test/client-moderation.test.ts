import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParleyClient, type ClientEvents, type ClientOptions, type Credentials, type StateChange } from '@parley/client';
import { KnownHosts, nodeTransport } from '@parley/client/node';
import { restartableServer, startTestServer, TextClient, waitFor } from '../src/index.ts';

/**
 * The SDK under moderation and outages: a room it can no longer rejoin is dropped (the
 * connection stays up), a kick or ban from the server is final, "Retry now" skips the wait.
 */
const cleanups: (() => unknown)[] = [];
const FAST_BACKOFF = { initialMs: 20, maxMs: 250 };

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(url: string, credentials: Credentials, options: Partial<ClientOptions> = {}): ParleyClient {
  const dir = mkdtempSync(join(tmpdir(), 'parley-moderated-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const created = new ParleyClient({ url, credentials, transport: nodeTransport({ knownHosts: new KnownHosts(join(dir, 'known_hosts')), acceptNew: true }), backoff: FAST_BACKOFF, ...options });
  cleanups.push(() => created.close());
  return created;
}

function record(c: ParleyClient) {
  const seen = { states: [] as StateChange[], lost: [] as ClientEvents['room_lost'][], errors: [] as string[], parts: [] as ClientEvents['part'][], notices: [] as ClientEvents['notice'][] };
  c.on('state', (s) => seen.states.push(s));
  c.on('room_lost', (l) => seen.lost.push(l));
  c.on('error', (e) => seen.errors.push(e.errorName));
  c.on('part', (p) => seen.parts.push(p));
  c.on('notice', (n) => seen.notices.push(n));
  return seen;
}

const PASSWORD = 'correct-horse-battery';

describe('SDK under moderation and outages', () => {
  it('a room that turned invite-only while the client was away is dropped with the reason; the connection stays up', async () => {
    const srv = await restartableServer(cleanups);
    const owner = client(`tls://127.0.0.1:${srv.ports.tls}`, { kind: 'register', name: 'olga', password: PASSWORD });
    await owner.connect();
    await owner.request('create', { room: '#secret' });
    await owner.request('create', { room: '#open' });
    const guest = client(`tls://127.0.0.1:${srv.ports.tls}`, { kind: 'guest', name: 'gus' });
    const seen = record(guest);
    await guest.connect();
    await guest.join('#secret');
    await guest.join('#open');
    // Members already inside stay; a guest is not a stored member, so it must join again after a drop.
    await owner.request('mode', { room: '#secret', invite_only: true });

    await srv.stop();
    await srv.start();
    await waitFor(() => seen.lost.length === 1 && guest.state === 'connected', 'the guest back, without #secret', 20_000);
    expect(seen.lost[0]).toMatchObject({ room: '#secret', error: { errorName: 'INVITE_ONLY' } });
    // Still up and in the rooms it could rejoin: a send to #open works, #secret is not retried.
    await expect(guest.send('#open', 'still here')).resolves.toHaveLength(1);
    const reconnects = seen.states.filter((s) => s.state === 'reconnecting' && s.delayMs !== undefined).length;
    await expect(guest.send('#secret', 'hello?')).rejects.toMatchObject({ errorName: 'NOT_IN_ROOM' });
    expect(seen.states.filter((s) => s.state === 'reconnecting' && s.delayMs !== undefined).length).toBe(reconnects);
    expect(guest.state).toBe('connected');
  });

  it('after a kick from the server the client closes with KICKED and does not reconnect', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.stop({ removeData: true }));
    const op = client(`tls://127.0.0.1:${server.tlsPort}`, { kind: 'register', name: 'opal', password: PASSWORD });
    await op.connect();
    const hank = client(`tls://127.0.0.1:${server.tlsPort}`, { kind: 'guest', name: 'hank' });
    const seen = record(hank);
    await hank.connect();
    await op.request('kick', { name: 'hank', reason: 'being rude' });
    await waitFor(() => hank.state === 'closed', 'hank closed');
    const closed = seen.states.at(-1);
    expect(closed).toMatchObject({ state: 'closed', error: { errorName: 'KICKED', action: 'stop' } });
    expect(closed?.error?.message).toBe('You were kicked by opal: being rude');
    expect(seen.states.some((s) => s.state === 'reconnecting')).toBe(false);
    expect(seen.errors).toEqual(['KICKED']);
    // Nobody named hank is online: the client did not come back under the same name.
    expect(await op.request('userinfo', { name: 'hank' }).catch((error: unknown) => error)).toMatchObject({ errorName: 'NO_SUCH_USER' });
  });

  it('a server ban is final too', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.stop({ removeData: true }));
    const op = client(`tls://127.0.0.1:${server.tlsPort}`, { kind: 'register', name: 'opal', password: PASSWORD });
    await op.connect();
    const dave = client(`tls://127.0.0.1:${server.tlsPort}`, { kind: 'guest', name: 'dave' });
    const seen = record(dave);
    await dave.connect();
    await op.request('ban', { target: 'dave', addresses: true, reason: 'spam' });
    await waitFor(() => dave.state === 'closed', 'dave closed');
    expect(seen.states.at(-1)).toMatchObject({ state: 'closed', error: { errorName: 'BANNED' } });
    expect(seen.states.some((s) => s.state === 'reconnecting')).toBe(false);
  });

  it('"Retry now" ends the wait before the next attempt', async () => {
    const srv = await restartableServer(cleanups);
    // A delay far longer than the test's budget: only retryNow() can bring it back in time.
    const patient = client(`tls://127.0.0.1:${srv.ports.tls}`, { kind: 'guest', name: 'pat' }, { backoff: { initialMs: 600_000, maxMs: 600_000 } });
    const seen = record(patient);
    await patient.connect();
    expect(patient.limits).toMatchObject({ maxTextBytes: expect.any(Number), maxRecipients: expect.any(Number) });
    await srv.stop();
    await waitFor(() => seen.states.some((s) => s.state === 'reconnecting' && (s.delayMs ?? 0) > 100_000), 'a long wait');
    await srv.start();
    patient.retryNow();
    await waitFor(() => patient.state === 'connected', 'back after Retry now', 15_000);
  });

  it('the SDK caps its reconnect delay at 5 s by default', async () => {
    const { Backoff } = await import('@parley/client');
    const backoff = new Backoff();
    const delays = Array.from({ length: 20 }, () => backoff.next());
    expect(Math.max(...delays)).toBeLessThanOrEqual(5000);
  });
});

describe('moderation is told to the one it hits, in the room it is about', () => {
  it('a kick from a room says who and why on the part event, in text mode as before', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.stop({ removeData: true }));
    const mod = client(`tls://127.0.0.1:${server.tlsPort}`, { kind: 'register', name: 'mona', password: PASSWORD });
    await mod.connect();
    await mod.request('create', { room: '#den' });
    const bob = client(`tls://127.0.0.1:${server.tlsPort}`, { kind: 'guest', name: 'bob' });
    const seen = record(bob);
    await bob.connect();
    await bob.join('#den');
    const watcher = await TextClient.connect({ port: server.tcpPort });
    cleanups.push(() => watcher.close());
    expect(await watcher.command('GUEST wendy')).toMatch(/^OK/);
    expect(await watcher.command('JOIN #den')).toMatch(/^OK JOIN/);

    await mod.request('kick', { name: 'bob', room: '#den', reason: 'off topic' });
    await waitFor(() => seen.parts.length > 0, 'bob told');
    expect(seen.parts[0]).toEqual({ room: '#den', user: 'bob', kind: 'kick', by: 'mona', reason: 'off topic' });
    expect(await watcher.expect('PART bob #den')).toBe('PART bob #den kicked by mona: off topic');
    expect(bob.state).toBe('connected');
  });

  it('a mute notice names its room; joining again says you are muted; an invite names room and inviter', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.stop({ removeData: true }));
    const mod = client(`tls://127.0.0.1:${server.tlsPort}`, { kind: 'register', name: 'mona', password: PASSWORD });
    await mod.connect();
    await mod.request('create', { room: '#den' });
    await mod.request('create', { room: '#vip' });
    const sam = client(`tls://127.0.0.1:${server.tlsPort}`, { kind: 'guest', name: 'sam' });
    const seen = record(sam);
    await sam.connect();
    expect((await sam.join('#den')).muted).toBeUndefined();
    await mod.request('mute', { room: '#den', name: 'sam', reason: 'calm down' });
    await waitFor(() => seen.notices.length > 0, 'the mute notice');
    expect(seen.notices[0]).toEqual({ text: 'mona muted you in #den: calm down', room: '#den', kind: 'mute', by: 'mona', reason: 'calm down' });
    await sam.part('#den');
    expect((await sam.join('#den')).muted).toBe(true);
    await mod.request('mode', { room: '#vip', invite_only: true });
    await mod.request('invite', { room: '#vip', name: 'sam' });
    await waitFor(() => seen.notices.length > 1, 'the invite');
    expect(seen.notices[1]).toMatchObject({ room: '#vip', kind: 'invite', by: 'mona' });
  });
});

describe('/me: an action message', () => {
  it('is typed as ME in text mode or /me in a client, stored with its kind, and shown as an action everywhere', async () => {
    const srv = await restartableServer(cleanups);
    const ann = client(`tls://127.0.0.1:${srv.ports.tls}`, { kind: 'register', name: 'ann', password: PASSWORD });
    const got: ClientEvents['message'][] = [];
    ann.on('message', (m) => got.push(m));
    await ann.connect();
    await ann.request('create', { room: '#fun' });
    const typist = await TextClient.connect({ port: srv.server.tcpPort });
    expect(await typist.command('GUEST tim')).toMatch(/^OK/);
    expect(await typist.command('ME waves')).toMatch(/^ERR \d+ BAD_ARGUMENTS No current conversation/);
    expect(await typist.command('JOIN #fun')).toMatch(/^OK JOIN/);
    expect(await typist.command('ME waves at everyone')).toMatch(/^OK/);
    await waitFor(() => got.length === 1, 'the action');
    expect(got[0]).toMatchObject({ from: 'tim', to: '#fun', text: 'waves at everyone', kind: 'action' });
    // A client line goes through the same grammar, to the conversation in view.
    const { parseCommandLine } = await import('@parley/protocol');
    await ann.runLine(parseCommandLine('/me nods', { currentRoom: '#fun', currentTarget: '#fun' }));
    expect(await typist.expect('ACTION ann')).toBe('ACTION ann #fun nods');
    typist.close();
    // Kept with its kind in the store: after a restart the history still says it was an action.
    await srv.stop();
    await srv.start();
    await waitFor(() => ann.state === 'connected', 'ann back', 20_000);
    const { messages } = await ann.history('#fun');
    expect(messages.map((m) => [m.from, m.text, m.kind])).toEqual([
      ['tim', 'waves at everyone', 'action'],
      ['ann', 'nods', 'action'],
    ]);
  });

  it('refuses a kind it does not know', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.stop({ removeData: true }));
    const ann = client(`tls://127.0.0.1:${server.tlsPort}`, { kind: 'guest', name: 'ann' });
    await ann.connect();
    await ann.join('#fun');
    await expect(ann.request('send', { to: '#fun', text: 'x', kind: 'shout' } as never)).rejects.toMatchObject({ errorName: 'BAD_ARGUMENTS' });
  });
});
