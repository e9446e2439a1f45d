import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage, ReplyData, ServerEvent } from '@parley/protocol';
import { address, FederationTestbed, history, okData, poll, reaches } from './federation-kit.ts';

/**
 * Direct messages between users of two real federated servers: MSG bob@b.test starts a
 * conversation homed on the sender's server, mirrored on the other; replies go both ways,
 * exactly once, an offline account gets them at its next login, and both servers hold the same
 * conversation under their own ids.
 */
const bed = new FederationTestbed();
afterEach(() => bed.cleanup());

const messagesOf = (events: readonly ServerEvent[], conv: string) => events.filter((e): e is ChatMessage & { ev: 'message' } => e.ev === 'message' && e.conv === conv);

describe('direct messages across servers', () => {
  it('alice@a.test and bob@b.test write to each other; bob offline gets his at login', async () => {
    const a = await bed.server('a.test');
    const b = await bed.server('b.test', { peers: [address(a)] });
    await reaches(a, 'b.test');
    const alice = await bed.user(a, 'alice');
    const bob = await bed.user(b, 'bob');

    const first = okData<ReplyData['send']>(await alice.ok('send', { to: 'bob@b.test', text: 'hi bob', cmid: 'd1' }, 15_000)).sent[0]!;
    expect(first).toMatchObject({ to: 'bob@b.test', seq: 1, duplicate: false });
    expect(first.conv).toMatch(/^dm:a1:a1@ps1/);
    const got = await bob.event<ChatMessage & { ev: 'message' }>((e) => e.ev === 'message' && e.text === 'hi bob', 15_000);
    expect(got).toMatchObject({ from: 'alice@a.test', to: 'bob', seq: 1 });
    // Each server names it with its own ids: the other's user is `<id>@<its server id>`.
    expect(got.conv).toMatch(/^dm:a1:a1@ps1/);
    expect(got.conv).not.toBe(first.conv);

    // Bob answers by name and by the conversation id; alice hears both once.
    await bob.ok('send', { to: 'alice@a.test', text: 'hi alice', cmid: 'r1' }, 15_000);
    await bob.ok('send', { to: got.conv, text: 'by id', cmid: 'r2' }, 15_000);
    await poll(async () => messagesOf(alice.events(), first.conv).length >= 2, 'alice heard both', 15_000);
    expect(messagesOf(alice.events(), first.conv).map((m) => `${m.seq} ${m.from} ${m.to} ${m.text}`)).toEqual(['2 bob@b.test alice hi alice', '3 bob@b.test alice by id']);

    // Bob goes offline; alice writes; bob logs in again and gets it from his queue.
    bob.close();
    await alice.ok('send', { to: 'bob@b.test', text: 'while you were away', cmid: 'd2' }, 15_000);
    await poll(async () => (await history(alice, first.conv)).length >= 4, 'stored at the home', 15_000);
    const bob2 = await bed.user(b, 'bob', 'login');
    await poll(async () => messagesOf(bob2.events(), got.conv).some((m) => m.text === 'while you were away') || (await history(bob2, got.conv)).some((m) => m.text === 'while you were away'), 'bob has it after login', 20_000);

    const atA = (await history(alice, first.conv)).map((m) => `${m.seq} ${m.text}`);
    const atB = (await history(bob2, got.conv)).map((m) => `${m.seq} ${m.text}`);
    expect(atB).toEqual(atA);
    expect(atA).toEqual(['1 hi bob', '2 hi alice', '3 by id', '4 while you were away']);
    const list = okData<ReplyData['conversations']>(await bob2.ok('conversations', {}));
    expect(list.conversations.map((c) => [c.conv, c.with]), JSON.stringify(list)).toContainEqual([got.conv, 'alice@a.test']);
  }, 120_000);

  it('says who is unknown, and that a server is unknown', async () => {
    const a = await bed.server('a.test');
    const b = await bed.server('b.test', { peers: [address(a)] });
    await reaches(a, 'b.test');
    const alice = await bed.user(a, 'alice');
    expect(await alice.request('send', { to: 'nobody@b.test', text: 'hello?' }, 15_000)).toMatchObject({ ok: false, error: { name: 'NO_SUCH_USER' } });
    expect(await alice.request('send', { to: 'bob@nowhere.test', text: 'hello?' })).toMatchObject({ ok: false, error: { name: 'NO_SUCH_SERVER' } });
    void b;
  }, 60_000);
});
