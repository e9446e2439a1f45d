import { mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParleyClient, ParleyClientError, type ClientOptions, type Credentials, type StateChange, type Transport, type TransportFactory } from '@parley/client';
import { KnownHosts, nodeTransport } from '@parley/client/node';
import { LineFramer, type ChatMessage, type ServerFrame } from '@parley/protocol';
import { restartableServer, waitFor, sleep } from '../src/index.ts';

/** The SDK across server restarts, offline delivery and a slow-consumer disconnect: exactly once, in order. */
const cleanups: (() => unknown)[] = [];
const FAST_BACKOFF = { initialMs: 20, maxMs: 250 };

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-reconnect-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function client(url: string, credentials: Credentials, options: Partial<ClientOptions> = {}): ParleyClient {
  const knownHosts = new KnownHosts(join(tempDir(), 'known_hosts'));
  const created = new ParleyClient({ url, credentials, transport: nodeTransport({ knownHosts, acceptNew: true }), backoff: FAST_BACKOFF, ...options });
  cleanups.push(() => created.close());
  return created;
}

function record(c: ParleyClient): { messages: ChatMessage[]; states: StateChange[]; errors: string[] } {
  const seen = { messages: [] as ChatMessage[], states: [] as StateChange[], errors: [] as string[] };
  c.on('message', (m) => seen.messages.push(m));
  c.on('state', (s) => seen.states.push(s));
  c.on('error', (e) => seen.errors.push(e.errorName));
  return seen;
}

const until = <T>(what: string | (() => string), check: () => T, timeoutMs?: number) => waitFor(check, what, timeoutMs);

/** Each conversation's seqs strictly increase (in order, no duplicates). */
function expectSeqOrder(messages: ChatMessage[]): void {
  const last = new Map<string, number>();
  for (const m of messages) {
    expect(m.seq, `${m.conv} seq after ${last.get(m.conv)}`).toBeGreaterThan(last.get(m.conv) ?? 0);
    last.set(m.conv, m.seq);
  }
}

describe('SDK reconnect and resume', () => {
  it('an account and a guest keep chatting across a server restart: queued and later messages arrive once, in order', async () => {
    const srv = await restartableServer(cleanups);
    const alice = client(`tls://127.0.0.1:${srv.ports.tls}`, { kind: 'register', name: 'alice', password: 'correct-horse' });
    // The worst order, made certain: after the restart the guest's network is slower, so alice is
    // back (and flushing what she queued for bob) a moment before bob is.
    let aliceBack: Promise<unknown> | undefined;
    const wsTransport = nodeTransport({ knownHosts: new KnownHosts(join(tempDir(), 'known_hosts')) });
    const slowerNetwork: TransportFactory = async (url) => (await aliceBack, wsTransport(url));
    const bob = client(`ws://127.0.0.1:${srv.ports.http}/ws`, { kind: 'guest', name: 'bob' }, { transport: slowerNetwork });
    const [a, b] = [record(alice), record(bob)];
    await alice.connect();
    await bob.connect();
    await alice.join('#ops');
    await bob.join('#ops');

    const fromAlice: string[] = [];
    const fromBob: string[] = [];
    const say = ([who, log]: [ParleyClient, string[]], to: string, text: string) => (log.push(text), who.send(to, text));
    await say([alice, fromAlice], '#ops', 'a-room-1');
    await say([alice, fromAlice], 'bob', 'a-dm-1');
    await say([bob, fromBob], '#ops', 'b-room-1');
    await say([bob, fromBob], 'alice', 'b-dm-1');
    await until('the first round', () => a.messages.length === 2 && b.messages.length === 2);

    aliceBack = new Promise((resolve) => alice.on('state', (s) => s.resumed && setTimeout(resolve, 300)));
    await srv.stop();
    await until('both clients to notice', () => [a, b].every((x) => x.states.some((s) => s.state === 'reconnecting')));
    const queued = ['a-room-2', 'a-dm-2', 'b-room-2', 'b-dm-2', 'a-room-3', 'b-dm-3'];
    const whileDown = queued.map((text) =>
      text.startsWith('a-') ? say([alice, fromAlice], text.includes('room') ? '#ops' : 'bob', text) : say([bob, fromBob], text.includes('room') ? '#ops' : 'alice', text),
    );
    await sleep(300);
    expect(alice.state).not.toBe('connected');
    await srv.start();

    const outcomes = await Promise.allSettled(whileDown);
    const report = outcomes.map((o) => (o.status === 'fulfilled' ? 'sent' : `${(o.reason as ParleyClientError).errorName}: ${(o.reason as Error).message}`));
    expect(Object.fromEntries(queued.map((text, i) => [text, report[i]]))).toEqual(Object.fromEntries(queued.map((text) => [text, 'sent'])));
    for (const [c, seen] of [[alice, a], [bob, b]] as const) {
      const resumed = seen.states.findLast((s) => s.state === 'connected');
      expect(resumed).toMatchObject({ state: 'connected', resumed: true });
      const lastReconnecting = seen.states.findLastIndex((s) => s.state === 'reconnecting');
      expect(lastReconnecting).toBeLessThan(seen.states.lastIndexOf(resumed!));
      expect(c.state).toBe('connected');
    }
    await say([alice, fromAlice], '#ops', 'a-room-4');
    await say([alice, fromAlice], 'bob', 'a-dm-4');
    await say([bob, fromBob], '#ops', 'b-room-4');
    await say([bob, fromBob], 'alice', 'b-dm-4');

    const texts = (seen: { messages: ChatMessage[] }) => seen.messages.map((m) => m.text);
    await until(() => `bob to get all of alice's (has ${texts(b)})`, () => texts(b).length >= fromAlice.length);
    await until(() => `alice to get all of bob's (has ${texts(a)})`, () => texts(a).length >= fromBob.length);
    await sleep(200); // room for a duplicate to show up
    // Order is per conversation: the room, and the DMs (the guest's DM conversation is new after the restart).
    const room = (texts: string[]) => texts.filter((t) => t.includes('-room-'));
    const dms = (texts: string[]) => texts.filter((t) => t.includes('-dm-'));
    expect(room(texts(b))).toEqual(room(fromAlice));
    expect(dms(texts(b))).toEqual(dms(fromAlice));
    expect(room(texts(a))).toEqual(room(fromBob));
    expect(dms(texts(a))).toEqual(dms(fromBob));
    expect(texts(a)).toHaveLength(fromBob.length);
    expect(texts(b)).toHaveLength(fromAlice.length);
    expectSeqOrder(a.messages);
    expectSeqOrder(b.messages);
    expect(b.messages.every((m) => m.from === 'alice')).toBe(true);
  });

  it('an account that was offline gets its DMs on login, once', async () => {
    const srv = await restartableServer(cleanups);
    const url = `tcp://127.0.0.1:${srv.ports.tcp}`;
    const carol = client(url, { kind: 'register', name: 'carol', password: 'correct-horse' });
    await carol.connect();
    await carol.close();
    const dave = client(url, { kind: 'guest', name: 'dave' });
    await dave.connect();
    expect(await dave.send('carol', 'are you there?')).toMatchObject([{ to: 'carol', seq: 1 }]);
    await dave.send('carol', 'second');
    // Offline across a restart too.
    await dave.close();
    await srv.stop();
    await srv.start();
    const erin = client(url, { kind: 'register', name: 'erin', password: 'correct-horse' });
    await erin.connect();
    await erin.send('carol', 'from erin');

    const back = client(url, { kind: 'login', name: 'carol', password: 'correct-horse' });
    const seen = record(back);
    await back.connect();
    await until('the pending DMs', () => seen.messages.length >= 3);
    expect(seen.messages.map((m) => `${m.from}: ${m.text}`)).toEqual(['dave: are you there?', 'dave: second', 'erin: from erin']);
    expectSeqOrder(seen.messages);
    await back.close();

    const again = client(url, { kind: 'login', name: 'carol', password: 'correct-horse' });
    const second = record(again);
    await again.connect();
    await again.request('ping', {});
    await sleep(100);
    expect(second.messages).toEqual([]);
  });
});

/**
 * A tcp:// transport built on the SDK's public Transport interface whose socket the test can
 * stop reading, the way a stalled application would.
 */
function pausableTcp(sockets: Socket[]): TransportFactory {
  return (url) =>
    new Promise<Transport>((resolve, reject) => {
      const socket = netConnect({ host: url.host, port: url.port }, () => {
        socket.off('error', reject);
        sockets.push(socket);
        const frames: ServerFrame[] = [];
        let ended = false;
        let wake: (() => void) | undefined;
        const framer = new LineFramer(16 * 1024 * 1024);
        socket.on('data', (chunk: Buffer) => {
          for (const out of framer.push(chunk)) if (out.kind === 'frame') frames.push(JSON.parse(Buffer.from(out.bytes).toString('utf8')) as ServerFrame);
          wake?.();
        });
        socket.on('error', () => socket.destroy());
        socket.on('close', () => ((ended = true), wake?.()));
        resolve({
          async *[Symbol.asyncIterator]() {
            for (;;) {
              const frame = frames.shift();
              if (frame) yield frame;
              else if (ended) return;
              else await new Promise<void>((done) => (wake = done));
            }
          },
          send: (frame) => void (socket.writable && socket.write(`${JSON.stringify(frame)}\n`)),
          close: () => socket.end(),
        });
      });
      socket.once('error', reject);
    });
}

describe('SDK slow consumer', () => {
  it('a client that stops reading is cut off with SLOW_CONSUMER, reconnects and catches up by resume without loss', async () => {
    const srv = await restartableServer(cleanups, {
      limits: { outbound_queue_bytes: 65536, messages_per_minute: 1_000_000, message_burst: 1_000_000, flood_disconnect_after: 1_000_000 },
    });
    const url = `tcp://127.0.0.1:${srv.ports.tcp}`;
    const sockets: Socket[] = [];
    const slow = new ParleyClient({ url, credentials: { kind: 'guest', name: 'slow' }, transport: pausableTcp(sockets), backoff: FAST_BACKOFF });
    cleanups.push(() => slow.close());
    const seen = record(slow);
    await slow.connect();
    const fast = client(url, { kind: 'guest', name: 'fast' });
    await fast.connect();

    sockets[0]!.pause();
    const slowSessionOpen = () => [...srv.server.server.context.sessions].some((s) => s.user?.name === 'slow' && !s.closed);
    const sent: string[] = [];
    const filler = 'x'.repeat(8000);
    while (slowSessionOpen() && sent.length < 2000) {
      const batch = Array.from({ length: 25 }, (_, i) => `m${sent.length + i} ${filler}`);
      sent.push(...batch);
      await Promise.all(batch.map((text) => fast.send('#general', text)));
    }
    expect(slowSessionOpen(), `still connected after ${sent.length} messages`).toBe(false);
    sockets[0]!.resume();

    await until(() => `the slow client to catch up (has ${seen.messages.length} of ${sent.length}; errors ${seen.errors.length}x ${[...new Set(seen.errors)]}; states ${JSON.stringify(seen.states.slice(-4))})`, () => seen.messages.length >= sent.length, 10_000);
    await fast.send('#general', 'done');
    await until('the last message', () => seen.messages.at(-1)?.text === 'done');
    expect(seen.errors).toContain('SLOW_CONSUMER');
    expect(seen.states.some((s) => s.state === 'connected' && s.resumed)).toBe(true);
    expect(seen.messages.map((m) => m.text)).toEqual([...sent, 'done']);
    expect(seen.messages.map((m) => m.seq)).toEqual(seen.messages.map((_, i) => i + 1));
  });
});
