import { describe, expect, it } from 'vitest';
import { useServerScope } from '../src/index.ts';

/**
 * Direct conversations across devices and after a guest left: `conversations` lists the
 * account's DMs for a device that has none of them, and `history` reads a DM by its id,
 * which keeps working when the other person was a guest who is gone.
 */
const scope = useServerScope();

/** Resolves once the clock has moved past the current millisecond. */
async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  while (Date.now() === now) await new Promise((resolve) => setImmediate(resolve));
}
const PASSWORD = 'password123';
const limits = { messages_per_minute: 600, message_burst: 100 };

describe('conversations', () => {
  it("lists an account's direct conversations newest first on a second device; a guest sees only its own", async () => {
    await scope.start({ limits });
    const alice = await scope.frames({ cmd: 'register', name: 'alice', password: PASSWORD });
    const bob = await scope.frames({ cmd: 'register', name: 'bob', password: PASSWORD });
    const dave = await scope.frames({ cmd: 'guest', name: 'dave' });
    // Each in a later millisecond than the one before: the list is ordered by the time of the
    // newest message, and two sends in one millisecond would tie.
    for (const [from, to, text] of [[alice, 'bob', 'hi bob'], [dave, 'alice', 'hi alice'], [bob, 'dave', 'hi dave'], [alice, 'alice', 'note to self'], [bob, 'alice', 'newest']] as const) {
      await nextMillisecond();
      await from.ok('send', { to, text });
    }

    const laptop = await scope.frames({ cmd: 'login', name: 'alice', password: PASSWORD });
    const { conversations } = (await laptop.ok('conversations')) as { conversations: { conv: string; with: string; kind: string; lastSeq: number; lastTs: number }[] };
    expect(conversations.map((c) => [c.with, c.kind, c.lastSeq])).toEqual([
      ['bob', 'account', 2],
      ['alice', 'account', 1],
      ['dave', 'guest', 1],
    ]);
    expect(conversations.map((c) => c.conv)).toEqual([
      expect.stringMatching(/^dm:a1:a2$/),
      'dm:a1:a1',
      expect.stringMatching(/^dm:a1:g[0-9a-z]+$/),
    ]);
    expect(conversations[0]!.lastTs).toBeGreaterThanOrEqual(conversations[1]!.lastTs);
    expect(await laptop.ok('conversations', { limit: 1 })).toMatchObject({ conversations: [{ with: 'bob' }] });

    // A guest is a new user at every login: dave's list is this connection's, and a new guest's is empty.
    expect(((await dave.ok('conversations')) as { conversations: { with: string }[] }).conversations.map((c) => c.with)).toEqual(['bob', 'alice']);
    const another = await scope.frames({ cmd: 'guest' });
    expect(await another.ok('conversations')).toEqual({ conversations: [] });

    const text = await scope.text();
    text.send('LOGIN alice password123');
    await text.expect(/^OK /);
    text.send('CONVERSATIONS 2');
    expect(await text.expect(/^CONV /)).toMatch(/^CONV bob dm:a1:a2 2 \d{4}-\d\d-\d\dT/);
    expect(await text.expect(/^CONV /)).toMatch(/^CONV alice dm:a1:a1 1 /);
    expect(await text.expect(/^(OK|ERR)/)).toBe('OK CONVERSATIONS 2');
  });

  it('reads a DM by its id after the guest in it left, and refuses ids that are not yours or not ids', async () => {
    await scope.start({ limits });
    const alice = await scope.frames({ cmd: 'register', name: 'alice', password: PASSWORD });
    const dave = await scope.frames({ cmd: 'guest', name: 'dave' });
    const eve = await scope.frames({ cmd: 'guest', name: 'eve' });
    await dave.ok('send', { to: 'alice', text: 'hello from dave' });
    const [{ conv }] = ((await alice.ok('send', { to: 'dave', text: 'hello dave' })) as { sent: [{ conv: string }] }).sent;
    dave.close();

    // By name, the guest is nobody once its connection is gone (and the name may go to someone else); by id, the history stays.
    await expect.poll(async () => (await alice.request('history', { with: 'dave' })).ok).toBe(false);
    expect(await alice.request('history', { with: 'dave' })).toMatchObject({ ok: false, error: { name: 'NO_SUCH_USER' } });
    const page = (await alice.ok('history', { with: conv })) as { conv: string; messages: { text: string }[] };
    expect(page.conv).toBe(conv);
    expect(page.messages.map((m) => m.text)).toEqual(['hello from dave', 'hello dave']);
    expect(await alice.ok('history', { with: conv, before: 2 })).toMatchObject({ messages: [{ text: 'hello from dave' }] });
    const laptop = await scope.frames({ cmd: 'login', name: 'alice', password: PASSWORD });
    expect(await laptop.ok('conversations')).toMatchObject({ conversations: [{ conv, with: 'dave', kind: 'guest', lastSeq: 2 }] });

    // Someone else's conversation: the same answer as one that never existed.
    expect(await eve.request('history', { with: conv })).toMatchObject({ ok: false, error: { name: 'NO_SUCH_CONVERSATION', code: 3013 } });
    expect(await eve.request('history', { with: 'dm:a1:a99' })).toMatchObject({ ok: false, error: { name: 'NO_SUCH_CONVERSATION' } });
    for (const bad of ['dm:', 'dm:a1', 'dm:a1:a2:a3', 'dm:a2:a1', 'dm:A1:a2', 'dm:x1:a1', `dm:a1:${'g'.repeat(300)}`, 'dm:a1:a2 ']) {
      expect(await alice.request('history', { with: bad }), bad).toMatchObject({ ok: false, error: { name: 'BAD_ARGUMENTS' } });
    }
    for (const args of [{ with: 5 }, { with: [conv] }, { with: conv, limit: 'ten' }, { with: '' }]) {
      expect(await alice.request('history', args), JSON.stringify(args)).toMatchObject({ ok: false, error: { name: 'BAD_ARGUMENTS' } });
    }
    for (const args of [{ limit: 0 }, { limit: 201 }, { limit: 'all' }, { limit: 1.5 }]) {
      expect(await alice.request('conversations', args), JSON.stringify(args)).toMatchObject({ ok: false, error: { name: 'BAD_ARGUMENTS' } });
    }
    const text = await scope.text();
    text.send('GUEST');
    await text.expect(/^OK /);
    expect(await text.command(`HISTORY ${conv}`)).toMatch(/^ERR 3013 NO_SUCH_CONVERSATION/);
    expect(await text.command('CONVERSATIONS none')).toMatch(/^ERR 1003 /);
  });

  it('sends by conversation id to the person it was with, never to someone who took the name since', async () => {
    await scope.start({ limits });
    const alice = await scope.frames({ cmd: 'register', name: 'alice', password: PASSWORD });
    const bob = await scope.frames({ cmd: 'register', name: 'bob', password: PASSWORD });
    const dave = await scope.frames({ cmd: 'guest', name: 'dave' });
    await dave.ok('send', { to: 'alice', text: 'hi, dave here' });
    const { conv } = await alice.event((e) => e.ev === 'message' && e.from === 'dave') as { conv: string };
    expect(await alice.ok('send', { to: conv, text: 'hello dave' })).toMatchObject({ sent: [{ to: 'dave', conv, seq: 2, duplicate: false }] });
    expect(await dave.event((e) => e.ev === 'message' && e.from === 'alice')).toMatchObject({ conv, to: 'dave', text: 'hello dave' });

    dave.close();
    const newcomer = await scope.frames({ cmd: 'guest', name: 'dave' });
    expect(await alice.request('send', { to: conv, text: 'still there?' })).toMatchObject({
      ok: false,
      error: { name: 'NO_SUCH_USER', message: 'dave has left; guests cannot get messages while offline' },
    });
    // By name it is the newcomer, in a conversation of its own.
    const [other] = ((await alice.ok('send', { to: 'dave', text: 'who are you?' })) as { sent: [{ conv: string }] }).sent;
    expect(other.conv).not.toBe(conv);
    expect(await newcomer.event((e) => e.ev === 'message')).toMatchObject({ conv: other.conv, text: 'who are you?' });

    // An account offline gets it at its next login, as by name.
    const [withBob] = ((await alice.ok('send', { to: 'bob', text: 'one' })) as { sent: [{ conv: string }] }).sent;
    bob.close();
    await expect.poll(() => scope.server.server.context.users.findByName('bob')).toBeUndefined();
    expect(await alice.ok('send', { to: withBob.conv, text: 'two, by id' })).toMatchObject({ sent: [{ to: 'bob', conv: withBob.conv, seq: 2 }] });
    const bobAgain = await scope.frames({ cmd: 'login', name: 'bob', password: PASSWORD });
    expect(await bobAgain.event((e) => e.ev === 'message')).toMatchObject({ conv: withBob.conv, text: 'two, by id' });

    // Not yours, never used, or not an id: refused with nothing stored.
    expect(await newcomer.request('send', { to: conv, text: 'x' })).toMatchObject({ ok: false, error: { name: 'NO_SUCH_CONVERSATION' } });
    expect(await alice.request('send', { to: 'dm:a1:a99', text: 'x' })).toMatchObject({ ok: false, error: { name: 'NO_SUCH_CONVERSATION' } });
    expect(await alice.request('send', { to: 'dm:a2:a1', text: 'x' })).toMatchObject({ ok: false, error: { name: 'BAD_ARGUMENTS' } });
    expect(await alice.request('send', { to: [withBob.conv, conv], text: 'all or nothing' })).toMatchObject({ ok: false, error: { name: 'NO_SUCH_USER' } });
    expect(await alice.ok('history', { with: withBob.conv })).toMatchObject({ messages: [{ text: 'one' }, { text: 'two, by id' }] });
  });
});
