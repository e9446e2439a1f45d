import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../src/index.ts';
import { cleanUp, person, server, tempDir, Terminal, TMUX_MISSING } from './tui-terminal.ts';

/**
 * Messages after they are sent in `parley chat <url>` (docs/tui.md, "Edits, replies and
 * reactions", "Typing", "Unread messages", "Mentions"), in tmux against a real server: the
 * commands and how the changes show, another person typing, an unread badge another device of
 * mine clears, a mention highlighted with the bell, and the server's refusal said.
 */
afterEach(cleanUp);

const ESC = '\u001b';

describe.skipIf(TMUX_MISSING)(`parley chat: edits, replies, reactions, typing, read state${TMUX_MISSING ? ' (skipped: tmux is not installed)' : ''}`, () => {
  it('edits, deletes, replies, reacts, shows typing, unread badges a read elsewhere clears, mentions with the bell, and refusals', async () => {
    const srv = await server();
    const phone = await person(srv, { kind: 'register', name: 'alice', password: 'pw-alice-messaging' });
    const bob = await person(srv, { kind: 'register', name: 'bob', password: 'pw-bob-messaging' });
    await bob.join('#general');
    const typingSeen: string[] = [];
    bob.on('typing', (e) => typingSeen.push(`${e.user} ${e.on ? 'on' : 'off'}`));
    const [hello] = await bob.send('#general', 'hello team');
    const bobSeq = hello!.seq;
    const term = await Terminal.open(
      ['chat', `tls://127.0.0.1:${srv.tlsPort}`, '--name', 'alice', '--password', 'pw-alice-messaging', '--accept-new', '--known-hosts', `${tempDir()}/known_hosts`, '--no-e2e'],
      {},
    );
    await term.see('bob: hello team', 30_000);

    // Edit: /edit alone puts my last message into the input line; with text it is changed in place.
    await term.type('first version');
    await term.press('Enter');
    // While a command that takes a message number is typed, each message ends with its number.
    await term.type('/edit');
    const numbered = await term.see(/alice: first version \[(\d+)\]/);
    expect(numbered).toContain(`bob: hello team [${bobSeq}]`);
    const mine = Number(/alice: first version \[(\d+)\]/.exec(numbered)![1]);
    await term.press('Enter');
    await term.see(`/edit ${mine} first version`);
    await term.press('C-u');
    await term.type(`/edit ${mine} second version`);
    await term.press('Enter');
    await term.see(/alice: second version \(edited\)\s*│/);

    // Reply: the first line of the answered message above it.
    await term.type(`/reply ${bobSeq} answer here`);
    await term.press('Enter');
    const replied = await term.see(/↪ bob: hello team[^\n]*\n[^\n]*alice: answer here/);
    expect(replied).not.toContain('first version');

    // Reactions under the message, mine and someone else's.
    await term.type(`/react ${bobSeq} 👍`);
    await term.press('Enter');
    await term.see(/bob: hello team[^\n]*\n[^\n]*👍 1/);
    await bob.request('react', { to: '#general', seq: bobSeq, emoji: '🎉' });
    await term.see('👍 1  🎉 1');

    // Delete (my last message: the reply), and someone else's message refused with the server's reason.
    await term.type('/delete');
    await term.press('Enter');
    await term.see('alice: (message deleted)');
    await term.type(`/edit ${bobSeq} not mine`);
    await term.press('Enter');
    await term.see('NOT_YOUR_MESSAGE');

    // Someone typing, in the status line, until they stop.
    await bob.request('typing', { to: '#general' });
    await term.see('bob is typing…');
    await bob.request('typing', { to: '#general', on: false });
    await term.notSee('bob is typing…');
    // And mine reaches bob while the input line holds text, off when it is cleared.
    typingSeen.length = 0;
    await term.type('drafting');
    await waitFor(() => typingSeen.includes('alice on') || undefined, () => `alice typing; bob saw ${typingSeen.join(', ')}`);
    await term.press('C-u');
    await waitFor(() => typingSeen.includes('alice off') || undefined, () => `alice stopped; bob saw ${typingSeen.join(', ')}`);

    // A mention while I look elsewhere: the bell, a badge; highlighted when I go back.
    await term.type('/msg bob');
    await term.press('Enter');
    await term.see('[@bob]');
    expect((await term.tmux('display-message', '-p', '-t', 'tui', '#{window_bell_flag}')).stdout.trim()).toBe('0');
    await bob.send('#general', 'ping @alice please look');
    await term.see(/#general +1│/);
    expect((await term.tmux('display-message', '-p', '-t', 'tui', '#{window_bell_flag}')).stdout.trim()).toBe('1');
    await term.press('M-1');
    await term.see('bob: ping @alice please look');
    const styled = (await term.tmux('capture-pane', '-p', '-e', '-t', 'tui')).stdout;
    // The mention is a run of its own: its attributes start right before it.
    const at = styled.indexOf('@alice');
    expect(at).toBeGreaterThan(-1);
    // The SGR run just before it turns on yellow (33) and bold (1).
    const sgr = [...styled.slice(0, at).matchAll(new RegExp(`${ESC}\\[([0-9;]*)m`, 'g'))].at(-1)![1]!.split(';');
    expect(sgr).toEqual(expect.arrayContaining(['33']));

    // A DM while elsewhere: an unread badge, cleared when my phone reads it.
    const [dm] = await bob.send('alice', 'psst');
    await term.see(/@bob +1│/);
    await phone.request('read', { to: 'bob', seq: dm!.seq });
    await term.notSee(/@bob +1│/);
  }, 90_000);
});
