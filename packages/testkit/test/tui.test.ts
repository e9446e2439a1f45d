import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../src/index.ts';
import { cleanUp, person, server, tempDir, Terminal, TMUX_MISSING } from './tui-terminal.ts';

/** `parley chat <url>`, the full-screen terminal UI, in tmux against a real server (tui-terminal.ts). */
afterEach(cleanUp);

describe.skipIf(TMUX_MISSING)(`parley chat (terminal UI)${TMUX_MISSING ? ' (skipped: tmux is not installed)' : ''}`, () => {
  it('a person trusts the server, chats in rooms and by DM, scrolls back, completes, gets help, survives a resize and quits', async () => {
    const srv = await server();
    const knownHosts = join(tempDir(), 'known_hosts');
    const bob = await person(srv, { kind: 'guest', name: 'bob' });
    await bob.join('#general');
    // Older than anything the UI loads when it joins: only scrolling back reaches it.
    for (let i = 1; i <= 70; i++) await bob.send('#general', `early ${i}`);

    // Without end to end: this test is the UI itself (tui-e2e.test.ts covers encryption), and bob has no keys.
    const term = await Terminal.open(['chat', `tls://127.0.0.1:${srv.tlsPort}`, '--name', 'alice', '--known-hosts', knownHosts, '--no-e2e'], {});
    // First contact asks, like SSH, before the full-screen UI starts.
    const question = await term.see('Trust it? [y/N]');
    const fingerprint = /([0-9A-F]{2}(?::[0-9A-F]{2}){31})/.exec(question)![1]!;
    await term.type('y');
    await term.press('Enter');
    // The member list and the room's recent history arrive separately: wait for both.
    let screen = await term.see(/Members \(2\)[\s\S]*\d\d:\d\d bob: early 70|\d\d:\d\d bob: early 70[\s\S]*Members \(2\)/);
    expect(readFileSync(knownHosts, 'utf8')).toContain(`127.0.0.1:${srv.tlsPort} ${fingerprint}`);
    expect(screen).toMatch(/TLS newly pinned [0-9A-F]{2}:[0-9A-F]{2}…[0-9A-F]{2}:[0-9A-F]{2} │ connected │ alice/);
    expect(screen).toContain(`tls://127.0.0.1:${srv.tlsPort}`);
    expect(screen).toMatch(/^ #general/);
    expect(screen).toMatch(/● bob/);
    expect(screen).toMatch(/\d\d:\d\d bob: early 70/);

    // A message from someone else appears with the sender's name; mine reaches them.
    await bob.send('#general', 'hello alice');
    await term.see(/\d\d:\d\d bob: hello alice/);
    await term.type('hi bob');
    await term.press('Enter');
    await term.see(/\d\d:\d\d alice: hi bob/);
    await waitFor(() => bob.received.some((m) => m.from === 'alice' && m.text === 'hi bob'), 'bob to get "hi bob"');

    // /join shows the room in the list and makes it current; #general then collects unread messages.
    await term.type('/join #dev');
    await term.press('Enter');
    screen = await term.see(/^ #dev/m);
    expect(screen).toMatch(/2 #dev/);
    await bob.send('#general', 'are you there?');
    await bob.send('#general', 'anyone?');
    await term.see(/1 #general +2│/);
    await term.press('M-1');
    screen = await term.see(/^ #general/);
    expect(screen).toMatch(/bob: anyone\?/);
    expect(screen).toMatch(/1 #general +│/);

    // A direct message opens a conversation of its own; Tab completes the command and the name.
    await bob.send('alice', 'psst');
    await term.see(/3 @bob +1│/);
    await term.type('/ms');
    await term.press('Tab');
    await term.type('b');
    await term.press('Tab');
    await term.see(/^\[#general\] \/msg bob *$/m);
    await term.type('hi there');
    await term.press('Enter');
    await waitFor(() => bob.received.some((m) => m.to === 'bob' && m.text === 'hi there'), 'bob to get the DM');
    await term.press('C-n');
    await term.press('C-n');
    screen = await term.see(/^ bob — direct messages/m);
    expect(screen).toMatch(/bob: psst/);
    expect(screen).toMatch(/alice: hi there/);
    await term.press('C-p');
    await term.see(/^ #dev/m);
    await term.press('M-1');
    await term.see(/^ #general/m);

    // Up brings back what I typed before.
    await term.press('Up');
    await term.see(/^\[#general\] \/msg bob hi there/m);
    await term.press('C-u');

    // PageUp scrolls back; at the top it loads older history from the server.
    for (let i = 0; i < 20 && !/bob: early 1\s*│/.test(await term.screen()); i++) {
      await term.press('PPage');
      await term.see(/scrolled/);
    }
    screen = await term.see(/bob: early 1\s*│/);
    expect(screen).toMatch(/↑ scrolled/);
    await term.press('NPage', 'NPage', 'NPage', 'NPage', 'NPage', 'NPage', 'NPage', 'NPage');
    await term.notSee('scrolled');

    // The help overlay, and Escape closes it.
    await term.type('/help');
    await term.press('Enter');
    screen = await term.see('Parley help');
    expect(screen).toMatch(/Alt\+1…9/);
    expect(screen).toMatch(/\/join <#room>/);
    await term.press('Escape');
    await term.notSee('Parley help');

    // 80×24 still renders every part; the message pane re-wraps.
    await term.tmux('resize-window', '-t', 'tui', '-x', '80', '-y', '24');
    screen = await term.see(/Members \(2\)[\s\S]*│ connected │ alice/);
    const lines = screen.replace(/\n$/, '').split('\n');
    expect(lines).toHaveLength(24);
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^ #general/);
    expect(lines[1]).toMatch(/^1 #general/);
    expect(lines[22]).toMatch(/connected │ alice/);
    expect(lines[23]).toMatch(/^\[#general\]/);
    await bob.send('#general', 'still readable at eighty columns, even when the line is long enough to wrap');
    // Continuation rows are indented under the text (1 column of padding + "HH:MM bob: ").
    screen = await term.see(/bob: still readable at eighty[^│\n]*│\n[^│\n]*│ {12}\S[\s\S]*│ {12}wrap/);
    expect(Math.max(...screen.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(80);

    // /quit leaves the alternate screen and exits 0.
    await term.type('/quit');
    await term.press('Enter');
    await term.see('parley exited with 0');
  }, 60_000);

  it('shows the connection state in the status bar: reconnecting while the server is down, resumed after', async () => {
    const first = await server();
    const { dataDir, tlsPort, tcpPort, httpPort } = first;
    const knownHosts = join(tempDir(), 'known_hosts');
    const term = await Terminal.open(['chat', `tls://127.0.0.1:${tlsPort}`, '--name', 'carol', '--accept-new', '--known-hosts', knownHosts], {});
    await term.see(/│ connected │ carol/);

    await first.stop();
    await term.see(/│ reconnecting( in \d+ s|…) │ carol/);
    await term.see('connection lost; reconnecting');
    await term.type('sent while the server was down');
    await term.press('Enter');

    // Same data directory and ports: the same certificate, still pinned.
    const second = await server({ data_dir: dataDir, tcp: { listen: [`127.0.0.1:${tlsPort}`, `tcp://127.0.0.1:${tcpPort}`] }, http: { listen: [`127.0.0.1:${httpPort}`] } });
    const screen = await term.see(/│ resumed \(\d+ missed\) │ carol/, 30_000);
    expect(screen).toMatch(/TLS pinned/);
    const dave = await person(second, { kind: 'guest', name: 'dave' });
    await dave.join('#general');
    await waitFor(async () => (await dave.history('#general', { limit: 10 })).messages.some((m) => m.from === 'carol' && m.text === 'sent while the server was down'), 'the message queued while down, in #general');
    await dave.send('#general', 'welcome back');
    await term.see(/dave: welcome back/);
    await term.press('C-c');
    await term.see('parley exited with 0');
  }, 60_000);

  it('an owner looks a user up and kicks them from the room, then off the server; a plain user is refused', async () => {
    const srv = await server();
    const knownHosts = join(tempDir(), 'known_hosts');
    const url = `tls://127.0.0.1:${srv.tlsPort}`;
    // The first account on a fresh data dir becomes the server's owner.
    const alice = await Terminal.open(['chat', url, '--name', 'alice', '--register', '--accept-new', '--known-hosts', knownHosts], { PARLEY_PASSWORD: 'correct-horse' });
    await alice.see(/│ connected │ alice/);
    const bob = await Terminal.open(['chat', url, '--name', 'bob', '--accept-new', '--known-hosts', knownHosts], {});
    await bob.see(/│ connected │ bob/);

    // Without a role: listed in the help as operator commands, refused by the server.
    await bob.type('/help');
    await bob.press('Enter');
    await bob.see('Operator commands');
    // Waited for, not read from the same capture: the overlay may still be drawing.
    await bob.see('/kick [#room] <name> [reason]');
    await bob.press('Escape');
    await bob.notSee('Parley help');
    await bob.type('/kill alice');
    await bob.press('Enter');
    await bob.see('FORBIDDEN: KICK needs the operator role');

    // Tab completes the operator commands too: /who, then /whois.
    await alice.type('/who');
    await alice.press('Tab');
    await alice.press('Tab');
    await alice.see('[#general] /whois');
    await alice.type('bob');
    await alice.press('Enter');
    const screen = await alice.see(/bob: guest, role guest, online/);
    // The session line wraps in the pane: the address is there (alice is the owner).
    await alice.see(/connection \d+ over tls since[\s\S]*from 127\.0\.0\.1/);
    expect(screen).not.toMatch(/FORBIDDEN/);

    await alice.type('/kick #general bob off topic');
    await alice.press('Enter');
    await alice.see('kicked bob from #general');
    // Said in the room, to both: bob as what happened to him, alice as someone who left.
    await bob.see('You were kicked from #general by alice: off topic');
    await alice.see('bob left (kicked by alice: off topic)');
    await alice.type('/kill bob bye');
    await alice.press('Enter');
    await alice.see('kicked bob (1 connection(s) closed)');
    // The line wraps in the message pane.
    await bob.see(/You were disconnected by an operator[\s\S]*kicked by alice: bye\. Parley will not reconnect\./);
    const stopped = await bob.see(/│ closed: disconnected by an operator │ bob/);
    expect(stopped).not.toMatch(/reconnecting/);
  }, 60_000);
});
