import { describe, expect, it } from 'vitest';
import type { ReplyData } from '@parley/protocol';
import { useServerScope, type FrameClient } from '../src/index.ts';

/**
 * Full-text search (docs/protocol.md, `search`): over the rooms a user is in and its direct
 * conversations only, with filters, each result in its current version; a private room of
 * others and other people's direct messages are never found; text mode's SEARCH with filters.
 */
const scope = useServerScope();
const PASSWORD = 'password123';
const SETTINGS = { limits: { messages_per_minute: 6000, message_burst: 1000 }, moderation: { first_account_owner: false } };

const found = async (client: FrameClient, args: Record<string, unknown>) =>
  ((await client.ok('search', args)) as unknown as ReplyData['search']).results.map((m) => `${m.to} ${m.from}: ${m.text}`);

describe('search', () => {
  it('finds what the user may read, newest first, in its current version, with filters', async () => {
    await scope.start(SETTINGS);
    const alice = await scope.frames({ cmd: 'register', name: 'alice', password: PASSWORD });
    const bob = await scope.frames({ cmd: 'register', name: 'bob', password: PASSWORD });
    const carol = await scope.frames({ cmd: 'register', name: 'carol', password: PASSWORD });
    await alice.ok('create', { room: '#dev' });
    await bob.ok('join', { room: '#dev' });
    await carol.ok('create', { room: '#secret' });
    await carol.ok('mode', { room: '#secret', invite_only: true });
    await alice.ok('send', { to: '#dev', text: 'the release is on Friday' });
    await bob.ok('send', { to: '#dev', text: 'releases are fun' });
    await bob.ok('send', { to: 'alice', text: 'a private release note' });
    await carol.ok('send', { to: '#secret', text: 'the secret release plan' });
    await carol.ok('send', { to: 'bob', text: 'release gossip for bob only' });
    await alice.ok('send', { to: '#dev', text: 'a typo in teh text' });
    await alice.ok('edit', { to: '#dev', seq: 3, text: 'the text, fixed' });
    await alice.ok('send', { to: '#dev', text: 'release candidate withdrawn' });
    await alice.ok('redact', { to: '#dev', seq: 5 });

    expect(await found(alice, { words: 'release' })).toEqual(['alice bob: a private release note', '#dev bob: releases are fun', '#dev alice: the release is on Friday']);
    expect(await found(alice, { words: 'release', from: 'BOB' })).toEqual(['alice bob: a private release note', '#dev bob: releases are fun']);
    expect(await found(alice, { words: 'release', in: '#dev', limit: 1 })).toEqual(['#dev bob: releases are fun']);
    expect(await found(alice, { words: 'release', in: 'bob' })).toEqual(['alice bob: a private release note']);
    // The edit is found, and so is the message by its first version; each shows its current text.
    expect(await found(alice, { words: 'fixed' })).toEqual(['#dev alice: the text, fixed']);
    expect(await found(alice, { words: 'teh' })).toEqual(['#dev alice: the text, fixed']);
    expect(await found(alice, { words: 'withdrawn' })).toEqual([]);
    expect(await found(alice, { words: 'secret' })).toEqual([]);
    expect(await found(alice, { words: 'gossip' })).toEqual([]);
    expect(await found(bob, { words: 'gossip' })).toEqual(['bob carol: release gossip for bob only']);
    const future = Date.now() + 60_000;
    expect(await found(alice, { words: 'release', after: future })).toEqual([]);
    expect(await found(alice, { words: 'release', before: future })).toHaveLength(3);

    for (const [args, code] of [
      [{ words: '!!! ???' }, 'BAD_ARGUMENTS'],
      [{ words: 'release', limit: 0 }, 'BAD_ARGUMENTS'],
      [{ words: 'release', limit: 51 }, 'BAD_ARGUMENTS'],
      [{ words: '' }, 'BAD_ARGUMENTS'],
      [{ words: 'release', in: '#secret' }, 'NOT_IN_ROOM'],
      [{ words: 'release', in: '#nowhere' }, 'NO_SUCH_ROOM'],
      [{ words: 'x'.repeat(301) }, 'BAD_ARGUMENTS'],
      [{ words: '"release" OR NEAR(*' }, undefined],
    ] as const) {
      const reply = await alice.request('search', args);
      expect(reply.ok ? undefined : reply.error.name, JSON.stringify(args)).toBe(code);
    }

    const text = await scope.text();
    await text.command(`LOGIN alice ${PASSWORD}`);
    text.send('SEARCH in:#dev from:bob release');
    expect(await text.expect(/^FOUND /)).toMatch(/^FOUND #dev 2 \S+ bob #dev releases are fun$/);
    expect(await text.expect(/^(OK|ERR)/)).toBe('OK SEARCH 1');
    expect(await text.command('SEARCH after:2000-01-01 before:not-a-date release')).toMatch(/^ERR \d+ BAD_ARGUMENTS/);
    text.close();
  });
});
