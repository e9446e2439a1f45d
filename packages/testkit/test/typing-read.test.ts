import { describe, expect, it } from 'vitest';
import type { ReplyData, ServerEvent, UnreadInfo } from '@parley/protocol';
import { useServerScope, type FrameClient } from '../src/index.ts';

/**
 * Typing notices and read state across devices (docs/protocol.md, "Edits, reactions, typing
 * and read state"): typing reaches the conversation's other people and never the store, within
 * its rate; a read position is kept by the server, only rises, reaches the user's other
 * connections, and unread counts come from it (edits and reactions do not count).
 */
const scope = useServerScope();
const PASSWORD = 'password123';
const SETTINGS = { limits: { messages_per_minute: 6000, message_burst: 1000 }, messages: { typing_per_minute: 12 } };

const typingOf = (client: FrameClient) => client.events().filter((e): e is Extract<ServerEvent, { ev: 'typing' }> => e.ev === 'typing');
const unreadOf = async (client: FrameClient) => ((await client.ok('unread')) as unknown as ReplyData['unread']).conversations;
const entry = (list: UnreadInfo[], conv: string) => list.find((c) => c.conv === conv);

describe('typing and read state', () => {
  it('sends typing to the others in a room and to a DM peer, not to the typist, never stored, within its rate', async () => {
    await scope.start(SETTINGS);
    const alice = await scope.frames({ cmd: 'register', name: 'alice', password: PASSWORD });
    const phone = await scope.frames({ cmd: 'login', name: 'alice', password: PASSWORD });
    const bob = await scope.frames({ cmd: 'register', name: 'bob', password: PASSWORD });
    await alice.ok('create', { room: '#t' });
    await bob.ok('join', { room: '#t' });
    await alice.ok('typing', { to: '#t' });
    expect(await bob.event((e) => e.ev === 'typing')).toEqual({ ev: 'typing', conv: '#t', user: 'alice', on: true });
    await alice.ok('typing', { to: '#t', on: false });
    await bob.event((e) => e.ev === 'typing' && !e.on);
    await bob.ok('typing', { to: 'alice' });
    expect(await phone.event((e) => e.ev === 'typing' && e.user === 'bob')).toMatchObject({ conv: 'dm:a1:a2', on: true });
    expect(typingOf(phone).filter((t) => t.user === 'alice')).toEqual([]);
    // Over the rate: accepted (no error), not all passed on.
    for (let i = 0; i < 30; i++) await alice.ok('typing', { to: '#t' });
    await alice.ok('send', { to: '#t', text: 'done typing' });
    await bob.event((e) => e.ev === 'message' && e.text === 'done typing');
    expect(typingOf(bob).length).toBeLessThan(20);
    expect(((await alice.ok('history', { with: '#t' })) as unknown as ReplyData['history']).messages.map((m) => m.text)).toEqual(['done typing']);
    expect((await alice.request('typing', { to: '#nowhere' })).ok).toBe(false);
    expect((await alice.request('typing', { to: 'ALL' })).ok).toBe(false);
  });

  it('keeps a read position per conversation, tells the other devices, and counts unread messages from it', async () => {
    await scope.start(SETTINGS);
    const alice = await scope.frames({ cmd: 'register', name: 'alice', password: PASSWORD });
    const bob = await scope.frames({ cmd: 'register', name: 'bob', password: PASSWORD });
    await alice.ok('create', { room: '#r' });
    await bob.ok('join', { room: '#r' });
    for (const text of ['one', 'two', 'three']) await alice.ok('send', { to: '#r', text });
    await alice.ok('send', { to: 'bob', text: 'psst' });
    await alice.ok('react', { to: '#r', seq: 1, emoji: '👀' });
    await alice.ok('edit', { to: '#r', seq: 2, text: 'two!' });

    let unread = await unreadOf(bob);
    expect(entry(unread, '#r')).toMatchObject({ with: '#r', read: 0, last: 5, unread: 3 });
    expect(entry(unread, 'dm:a1:a2')).toMatchObject({ with: 'alice', read: 0, last: 1, unread: 1 });
    // alice's own messages are never unread for her.
    expect(entry(await unreadOf(alice), '#r')).toMatchObject({ unread: 0 });

    const laptop = await scope.frames({ cmd: 'login', name: 'bob', password: PASSWORD });
    expect(await bob.ok('read', { to: '#r', seq: 2 })).toEqual({ conv: '#r', seq: 2 });
    expect(await laptop.event((e) => e.ev === 'read')).toEqual({ ev: 'read', conv: '#r', seq: 2 });
    expect(bob.events().some((e) => e.ev === 'read')).toBe(false);
    unread = await unreadOf(laptop);
    expect(entry(unread, '#r')).toMatchObject({ read: 2, unread: 1 });
    // Never lowered; never past the newest message.
    expect(await laptop.ok('read', { to: '#r', seq: 1 })).toEqual({ conv: '#r', seq: 2 });
    expect(await laptop.ok('read', { to: 'alice', seq: 1000 })).toEqual({ conv: 'dm:a1:a2', seq: 1 });
    expect(entry(await unreadOf(bob), 'dm:a1:a2')).toMatchObject({ read: 1, unread: 0 });
    // Kept by the server: a device that logs in later sees it.
    const later = await scope.frames({ cmd: 'login', name: 'bob', password: PASSWORD });
    expect(entry(await unreadOf(later), '#r')).toMatchObject({ read: 2 });
    expect((await later.request('read', { to: '#r', seq: -1 })).ok).toBe(false);
    const carol = await scope.frames({ cmd: 'register', name: 'carol', password: PASSWORD });
    expect(await carol.request('read', { to: '#r', seq: 1 })).toMatchObject({ ok: false, error: { name: 'NOT_IN_ROOM' } });
  });
});
