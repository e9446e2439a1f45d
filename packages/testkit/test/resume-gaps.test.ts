import type { ServerEvent } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { useServerScope, waitFor, type FrameClient } from '../src/index.ts';

/**
 * `resume` replays every stored message above the client's cursor that this connection has not
 * had, whatever the connection did before: sends (new or repeated) and live deliveries must
 * neither hide older messages nor come back as replays.
 */
const scope = useServerScope();

const PASSWORD = 'password123';

const open = (login: Parameters<typeof scope.frames>[0]) => scope.frames(login);

const seqsIn = (client: FrameClient, conv: string) =>
  client.frames.filter((f): f is ServerEvent & { ev: 'message' } => 'ev' in f && f.ev === 'message' && f.conv === conv).map((m) => m.seq);

describe('resume after sending', () => {
  it('regression: a repeated cmid and a new send before resume do not hide the messages between them', async () => {
    await scope.start({ limits: { messages_per_minute: 600, message_burst: 100 } });
    const first = await open({ cmd: 'register', name: 'alice', password: PASSWORD });
    await first.ok('join', { room: '#r' });
    const bob = await open({ cmd: 'register', name: 'bob', password: PASSWORD });
    await bob.ok('join', { room: '#r' });
    expect(await first.ok('send', { to: '#r', text: 'one', cmid: 'c1' })).toMatchObject({ sent: [{ seq: 1 }] });
    await bob.ok('send', { to: '#r', text: 'two' });
    await bob.ok('send', { to: '#r', text: 'three' });
    first.close();

    const again = await open({ cmd: 'login', name: 'alice', password: PASSWORD });
    expect(await again.ok('send', { to: '#r', text: 'one', cmid: 'c1' })).toMatchObject({ sent: [{ seq: 1, duplicate: true }] });
    expect(await again.ok('send', { to: '#r', text: 'four' })).toMatchObject({ sent: [{ seq: 4 }] });
    expect(await again.ok('resume', { cursors: { '#r': 1 } })).toMatchObject({ replayed: 2, more: [] });
    expect(seqsIn(again, '#r')).toEqual([2, 3]);
  });

  it("regression: resume does not send a connection's own message back", async () => {
    await scope.start({ limits: { messages_per_minute: 600, message_burst: 100 } });
    const bob = await open({ cmd: 'register', name: 'bob', password: PASSWORD });
    await bob.ok('join', { room: '#r' });
    for (const text of ['1', '2', '3', '4', '5']) await bob.ok('send', { to: '#r', text });
    const alice = await open({ cmd: 'register', name: 'alice', password: PASSWORD });
    await alice.ok('join', { room: '#r' });
    expect(await alice.ok('send', { to: '#r', text: 'six' })).toMatchObject({ sent: [{ seq: 6 }] });
    expect(await alice.ok('resume', { cursors: { '#r': 4 } })).toMatchObject({ replayed: 1 });
    expect(seqsIn(alice, '#r')).toEqual([5]);
  });

  it('fills every gap once, skips what arrived live, and a second resume sends nothing', async () => {
    await scope.start({ limits: { messages_per_minute: 600, message_burst: 100 } });
    const bob = await open({ cmd: 'register', name: 'bob', password: PASSWORD });
    await bob.ok('join', { room: '#r' });
    for (const text of ['1', '2', '3']) await bob.ok('send', { to: '#r', text });
    const alice = await open({ cmd: 'register', name: 'alice', password: PASSWORD });
    await alice.ok('join', { room: '#r' });
    await bob.ok('send', { to: '#r', text: '4 live' });
    await waitFor(() => seqsIn(alice, '#r').includes(4), 'seq 4 live');
    await alice.ok('send', { to: '#r', text: '5 mine' });
    await bob.ok('send', { to: '#r', text: '6' });
    await waitFor(() => seqsIn(alice, '#r').includes(6), 'seq 6 live');
    await alice.ok('send', { to: '#r', text: '7 mine' });
    expect(await alice.ok('resume', { cursors: { '#r': 0 } })).toMatchObject({ replayed: 3 });
    expect(seqsIn(alice, '#r')).toEqual([4, 6, 1, 2, 3]);
    expect(await alice.ok('resume', { cursors: { '#r': 0 } })).toMatchObject({ replayed: 0 });
  });
});
