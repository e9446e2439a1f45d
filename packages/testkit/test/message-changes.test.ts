import { describe, expect, it } from 'vitest';
import type { ChatMessage, ReplyData, ServerEvent } from '@parley/protocol';
import { useServerScope, type FrameClient } from '../src/index.ts';

/**
 * Replies, edits, redactions and reactions over the real protocol (docs/protocol.md, "Edits,
 * reactions, typing and read state"): each is a message of the conversation with `ref`, so it
 * reaches everyone live and through history; history shows each message in its current
 * version; the rules (author, moderators, edit window, one emoji) hold, with stable codes.
 */
const scope = useServerScope();
const PASSWORD = 'password123';
const SETTINGS = { limits: { messages_per_minute: 6000, message_burst: 1000 }, moderation: { first_account_owner: false } };

type MessageEvent = ChatMessage & { ev: 'message' };
const isMessage = (e: ServerEvent): e is MessageEvent => e.ev === 'message';

async function pageOf(client: FrameClient, target: string): Promise<ChatMessage[]> {
  return ((await client.ok('history', { with: target, limit: 50 })) as unknown as ReplyData['history']).messages;
}

async function errorOf(client: FrameClient, cmd: string, args: Record<string, unknown>): Promise<string | undefined> {
  const reply = await client.request(cmd, args);
  return reply.ok ? undefined : reply.error.name;
}

async function room(): Promise<{ alice: FrameClient; bob: FrameClient }> {
  const alice = await scope.frames({ cmd: 'register', name: 'alice', password: PASSWORD });
  const bob = await scope.frames({ cmd: 'register', name: 'bob', password: PASSWORD });
  await alice.ok('create', { room: '#talk' });
  await bob.ok('join', { room: '#talk' });
  return { alice, bob };
}

describe('replies, edits, redactions and reactions', () => {
  it('carries each change live and folds it into history: a reply, an edit, reactions, a redaction', async () => {
    await scope.start(SETTINGS);
    const { alice, bob } = await room();
    await alice.ok('send', { to: '#talk', text: 'the first version' });
    const reply = (await bob.ok('send', { to: '#talk', text: 'an answer', reply: 1 })) as unknown as ReplyData['send'];
    expect(reply.sent[0]).toMatchObject({ seq: 2 });
    expect(await alice.event((e) => isMessage(e) && e.seq === 2)).toMatchObject({ text: 'an answer', reply: 1 });

    const edit = (await alice.ok('edit', { to: '#talk', seq: 1, text: 'the second version' })) as unknown as ReplyData['edit'];
    expect(edit).toMatchObject({ to: '#talk', seq: 3, ref: 1, duplicate: false });
    expect(await bob.event((e) => isMessage(e) && e.seq === 3)).toMatchObject({ kind: 'edit', ref: 1, from: 'alice', text: 'the second version' });
    await bob.ok('react', { to: '#talk', seq: 1, emoji: '👍' });
    await alice.ok('react', { to: '#talk', seq: 1, emoji: '👍' });
    await alice.ok('react', { to: '#talk', seq: 1, emoji: '🇫🇷' });
    // Again: already so, nothing stored.
    expect(await alice.ok('react', { to: '#talk', seq: 1, emoji: '👍' })).toMatchObject({ seq: 0, duplicate: true });
    await alice.ok('react', { to: '#talk', seq: 1, emoji: '🇫🇷', remove: true });
    expect(await bob.event((e) => isMessage(e) && e.kind === 'unreact')).toMatchObject({ ref: 1, text: '🇫🇷', from: 'alice' });

    let page = await pageOf(bob, '#talk');
    const first = page.find((m) => m.seq === 1)!;
    expect(first).toMatchObject({ text: 'the second version', reactions: [{ emoji: '👍', count: 2, users: ['bob', 'alice'] }] });
    expect(first.edited).toBeGreaterThanOrEqual(first.ts);
    expect(page.find((m) => m.seq === 2)).toMatchObject({ reply: 1, text: 'an answer' });
    // The events stay in the page, in seq order, for cursors.
    expect(page.map((m) => m.kind ?? 'message')).toEqual(['message', 'message', 'edit', 'react', 'react', 'react', 'unreact']);

    await alice.ok('redact', { to: '#talk', seq: 1 });
    expect(await bob.event((e) => isMessage(e) && e.kind === 'redact')).toMatchObject({ ref: 1, from: 'alice' });
    page = await pageOf(alice, '#talk');
    expect(page.find((m) => m.seq === 1)).toMatchObject({ text: '', redacted: true });
    expect(page.find((m) => m.seq === 1)!.reactions).toBeUndefined();
    // Every version of it is gone from the store, the edit's text included.
    expect(page.filter((m) => m.text.includes('version'))).toEqual([]);
    expect(await errorOf(alice, 'edit', { to: '#talk', seq: 1, text: 'back again' })).toBe('EDIT_WINDOW_CLOSED');
    expect(await errorOf(bob, 'react', { to: '#talk', seq: 1, emoji: '👍' })).toBe('NO_SUCH_MESSAGE');
  });

  it("refuses others' edits and redactions, lets a moderator redact (audited), and says why for bad input", async () => {
    // alice, the first account, owns the server: she moderates every room and reads the audit log.
    await scope.start({ limits: SETTINGS.limits });
    const { alice, bob } = await room();
    await bob.ok('send', { to: '#talk', text: 'bob speaks' });
    await alice.ok('send', { to: '#talk', text: 'alice speaks' });
    expect(await errorOf(alice, 'edit', { to: '#talk', seq: 1, text: 'not yours' })).toBe('NOT_YOUR_MESSAGE');
    expect(await errorOf(bob, 'redact', { to: '#talk', seq: 2 })).toBe('NOT_YOUR_MESSAGE');
    // alice created #talk: she moderates it.
    await alice.ok('redact', { to: '#talk', seq: 1, reason: 'off topic' });
    expect(await bob.event((e) => isMessage(e) && e.kind === 'redact')).toMatchObject({ ref: 1, text: 'off topic' });
    const audit = (await alice.ok('audit', { limit: 5 })) as unknown as ReplyData['audit'];
    expect(audit.entries.find((e) => e.action === 'message.redact')).toMatchObject({ actor: 'alice', target: '#talk 1' });

    const bad: [string, Record<string, unknown>, string][] = [
      ['edit', { to: '#talk', seq: 0, text: 'x' }, 'BAD_ARGUMENTS'],
      ['edit', { to: '#talk', seq: 'two', text: 'x' }, 'BAD_ARGUMENTS'],
      ['edit', { to: '#talk', seq: 99, text: 'x' }, 'NO_SUCH_MESSAGE'],
      ['edit', { to: '#talk', seq: 2, text: '   ' }, 'TEXT_EMPTY'],
      ['edit', { to: '#talk', seq: 3, text: 'an event is not a message' }, 'NO_SUCH_MESSAGE'],
      ['edit', { to: '#nowhere', seq: 2, text: 'x' }, 'NO_SUCH_ROOM'],
      ['edit', { to: 'ALL', seq: 2, text: 'x' }, 'BAD_ARGUMENTS'],
      ['react', { to: '#talk', seq: 2, emoji: 'yes' }, 'REACTION_INVALID'],
      ['react', { to: '#talk', seq: 2, emoji: '👍👍' }, 'REACTION_INVALID'],
      ['react', { to: '#talk', seq: 2, emoji: 'x'.repeat(40) }, 'BAD_ARGUMENTS'],
      ['send', { to: '#talk', text: 'a reply to nothing', reply: 42 }, 'NO_SUCH_MESSAGE'],
      ['send', { to: ['#talk', 'bob'], text: 'a reply to two', reply: 2 }, 'BAD_ARGUMENTS'],
    ];
    for (const [cmd, args, code] of bad) expect(await errorOf(alice, cmd, args), `${cmd} ${JSON.stringify(args)}`).toBe(code);
    const outsider = await scope.frames({ cmd: 'register', name: 'carol', password: PASSWORD });
    expect(await errorOf(outsider, 'react', { to: '#talk', seq: 2, emoji: '👍' })).toBe('NOT_IN_ROOM');
    // Nothing stored was lost by all that.
    expect((await pageOf(alice, '#talk')).map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('keeps to the edit window, and forgets earlier versions when keep_edit_history is off', async () => {
    await scope.start({ ...SETTINGS, messages: { edit_window_ms: 0 } });
    const { alice } = await room();
    await alice.ok('send', { to: '#talk', text: 'set in stone' });
    expect(await errorOf(alice, 'edit', { to: '#talk', seq: 1, text: 'no' })).toBe('EDIT_WINDOW_CLOSED');

    await scope.start({ ...SETTINGS, messages: { keep_edit_history: false } });
    const fresh = await room();
    await fresh.alice.ok('send', { to: '#talk', text: 'draft one' });
    await fresh.alice.ok('edit', { to: '#talk', seq: 1, text: 'draft two' });
    await fresh.alice.ok('edit', { to: '#talk', seq: 1, text: 'draft three' });
    const page = await pageOf(fresh.alice, '#talk');
    expect(page.map((m) => m.text)).toEqual(['draft three', '', 'draft three']);
  });

  it('gives an offline account the edits of a direct message at its next login, and text mode names changes by seq', async () => {
    await scope.start(SETTINGS);
    const alice = await scope.frames({ cmd: 'register', name: 'alice', password: PASSWORD });
    const bob = await scope.frames({ cmd: 'register', name: 'bob', password: PASSWORD });
    await alice.ok('send', { to: 'bob', text: 'hello bob' });
    bob.close();
    await alice.ok('edit', { to: 'bob', seq: 1, text: 'hello, bob' });
    const back = await scope.frames({ cmd: 'login', name: 'bob', password: PASSWORD });
    expect(await back.event((e) => isMessage(e) && e.kind === 'edit')).toMatchObject({ ref: 1, text: 'hello, bob' });

    const text = await scope.text();
    await text.command(`LOGIN bob ${PASSWORD}`);
    await alice.ok('react', { to: 'bob', seq: 1, emoji: '🎉' });
    await text.expect(/^REACTED alice bob 1 🎉$/m);
    await text.command('REPLY alice 1 thanks');
    await alice.event((e) => isMessage(e) && e.reply === 1 && e.text === 'thanks');
    // seq 2 is the edit, 3 the reaction, 4 bob's reply.
    expect(await text.command('EDIT alice 4 thanks!')).toBe('OK EDIT alice:5 4');
    await alice.event((e) => isMessage(e) && e.kind === 'edit' && e.ref === 4);
    await text.command('REDACT alice 4');
    text.send('HISTORY alice');
    expect(await text.expect(/^HIST 1 /)).toMatch(/^HIST 1 \S+ alice bob hello, bob$/);
    expect(await text.expect(/^HIST 4 /)).toMatch(/^HIST 4 \S+ bob alice \(deleted\)$/);
    text.close();
  });
});
