import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage, ServerEvent } from '@parley/protocol';
import { FederationTestbed, history, poll } from './federation-kit.ts';
import { homeAndMirror } from './home-and-mirror.ts';

/**
 * Replies, edits, reactions and redactions in a room homed on another server: they travel as
 * the room's messages (submissions with `ref`, sealed at the home), both servers fold them the
 * same way, the home refuses an edit of someone else's message from the other server, and a
 * redaction blanks the text on the mirror's store as on the home's.
 */
const bed = new FederationTestbed();
afterEach(() => bed.cleanup());

const isMessage = (e: ServerEvent): e is ChatMessage & { ev: 'message' } => e.ev === 'message';

describe('message changes across servers', () => {
  it('edits, reactions, replies and redactions reach both servers, folded alike; the home keeps the rules', async () => {
    const pair = await homeAndMirror(bed);
    const alice = await bed.user(pair.home, 'alice');
    await alice.ok('create', { room: '#dev' });
    const bob = await bed.user(pair.mirror, 'bob');
    await bob.ok('join', { room: '#dev@a.test' }, 15_000);
    await alice.event((e) => e.ev === 'join' && e.user === 'bob@b.test', 15_000);

    await alice.ok('send', { to: '#dev', text: 'first version' });
    await bob.event((e) => isMessage(e) && e.seq === 1, 15_000);
    await alice.ok('edit', { to: '#dev', seq: 1, text: 'second version' });
    await bob.ok('react', { to: '#dev@a.test', seq: 1, emoji: '👍' }, 15_000);
    await bob.ok('send', { to: '#dev@a.test', text: 'a reply from b', reply: 1 }, 15_000);
    expect(await bob.request('edit', { to: '#dev@a.test', seq: 1, text: 'not mine' }, 15_000)).toMatchObject({ ok: false, error: { name: 'NOT_YOUR_MESSAGE' } });
    await alice.event((e) => isMessage(e) && e.reply === 1, 15_000);

    const atHome = await history(alice, '#dev');
    const first = atHome.find((m) => m.seq === 1)!;
    expect(first).toMatchObject({ text: 'second version', reactions: [{ emoji: '👍', count: 1, users: ['bob@b.test'] }] });
    await poll(async () => (await history(bob, '#dev@a.test')).length === atHome.length, 'the mirror to have every event', 15_000);
    const atMirror = await history(bob, '#dev@a.test');
    expect(atMirror.find((m) => m.seq === 1)).toMatchObject({ text: 'second version', reactions: [{ emoji: '👍', count: 1, users: ['bob'] }] });

    await alice.ok('redact', { to: '#dev', seq: 1 });
    await bob.event((e) => isMessage(e) && e.kind === 'redact', 15_000);
    for (const page of [await history(alice, '#dev'), await history(bob, '#dev@a.test')]) {
      expect(page.find((m) => m.seq === 1)).toMatchObject({ text: '', redacted: true });
      // Every version is blanked in each server's store, the edit's included.
      expect(page.filter((m) => m.text.includes('version'))).toEqual([]);
    }
  }, 120_000);
});
