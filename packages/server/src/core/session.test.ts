import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpoint, type Checkpoint } from '../../test/checkpoint-fixture.ts';
import { OutboundEvent } from './outbound.ts';

let checkpoint: Checkpoint | undefined;
afterEach(async () => {
  await checkpoint?.stop();
  checkpoint = undefined;
});

const message = (conv: string, seq: number) => new OutboundEvent({ ev: 'message', conv, seq, from: 'bob', to: conv, text: `m${seq}`, ts: 0 });

async function open(settings: Record<string, unknown> = {}) {
  checkpoint ??= await startCheckpoint(settings);
  const { session, sink } = checkpoint.open();
  session.setMode('json', 'stream');
  const seqs = () => {
    session.flush();
    return sink.lines().map((line) => JSON.parse(line) as { ev?: string; seq?: number }).filter((e) => e.ev === 'message').map((e) => e.seq);
  };
  return { session, sink, seqs };
}

describe('Session', () => {
  it('delivers each message of a conversation once, whichever way it comes', async () => {
    const { session, seqs } = await open();
    expect(session.deliver(message('#r', 1))).toBe(true);
    expect(session.deliver(message('#r', 1))).toBe(false);
    expect(session.deliverReplayed(message('#r', 1))).toBe(false);
    session.sentMessage('#r', 2);
    expect(session.deliver(message('#r', 2))).toBe(false);
    expect(session.deliver(message('#other', 1))).toBe(true);
    expect(seqs()).toEqual([1, 1]);
  });

  it('resumeFrom names what the connection lacks above the cursor and covers the rest', async () => {
    const { session } = await open();
    session.deliver(message('#r', 5));
    session.sentMessage('#r', 7);
    expect(session.resumeFrom('#r', 2)).toEqual([
      { from: 3, to: 4 },
      { from: 6, to: 6 },
      { from: 8, to: undefined },
    ]);
    // Everything up to the cursor counts as had: live copies of it are dropped.
    expect(session.deliver(message('#r', 1))).toBe(false);
  });

  it('holds live messages during a replay and releases them through the seen check, after the replayed ones', async () => {
    const { session, seqs } = await open();
    await session.withLiveMessagesHeld(async () => {
      expect(session.deliver(message('#r', 3))).toBe(true);
      session.deliverReplayed(message('#r', 1));
      session.deliverReplayed(message('#r', 3));
      expect(seqs()).toEqual([1, 3]);
    });
    expect(seqs()).toEqual([1, 3]);
  });

  it('whenWritable waits for the socket to drain below half the cap', async () => {
    const { session, sink } = await open({ limits: { outbound_queue_bytes: 8192 } });
    expect(session.whenWritable()).toBeUndefined();
    sink.writableLength = 6000;
    let ready = false;
    const wait = session.whenWritable()!.then(() => (ready = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ready).toBe(false);
    sink.writableLength = 100;
    sink.emit('drain');
    await wait;
    expect(ready).toBe(true);
  });

  it('a reload of limits.outbound_queue_bytes reaches connections already open', async () => {
    const { session, sink } = await open();
    const { ConfigSchema } = await import('../config/schema.ts');
    const server = checkpoint!.server;
    await server.reload(ConfigSchema.parse({ ...server.context.config, limits: { ...server.context.config.limits, outbound_queue_bytes: 4096 } }), 'test');
    sink.writableLength = 4000; // the peer stopped reading
    session.deliver(new OutboundEvent({ ev: 'notice', text: 'x'.repeat(200) }));
    expect(session.closed).toBe(true);
    expect(sink.lines().at(-1)).toMatch(/SLOW_CONSUMER/);
  });

  it('runs commands one at a time through the context dispatcher, in order', async () => {
    const { session, sink } = await open();
    session.setMode('text', 'stream');
    for (const line of ['GUEST ann', 'JOIN #x', 'PART']) session.receive({ kind: 'line', text: line });
    await session.idle();
    session.flush();
    expect(sink.lines().filter((l) => l.startsWith('OK'))).toEqual([expect.stringMatching(/^OK welcome ann/), expect.stringMatching(/^OK JOIN #x/), 'OK PART #x']);
  });

  it('checkLiveness closes a connection without a handshake, pings a silent one, closes one that does not answer', async () => {
    const { session, sink } = await open();
    const limits = { handshakeMs: 1000, idleMs: 1000, pingTimeoutMs: 1000 };
    session.checkLiveness(session.createdAt + 2000, limits);
    expect(session.closed).toBe(true);
    expect(sink.lines().at(-1)).toMatch(/HANDSHAKE_TIMEOUT/);

    const other = checkpoint!.open();
    other.session.setMode('text', 'stream');
    const now = Date.now();
    other.session.checkLiveness(now + 1500, limits);
    other.session.flush();
    expect(other.sink.lines().at(-1)).toMatch(/^PING \d+$/);
    other.session.checkLiveness(now + 3000, limits);
    expect(other.session.closed).toBe(true);
  });
});
