import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../src/index.ts';
import { cleanUp, person, restartable, server, tempDir, Terminal, TMUX_MISSING } from './tui-terminal.ts';

/**
 * Issue "Clients that hold up", the full-screen terminal UI: what I do myself shows where I
 * look (my topic in the header, my rename once, my away status), the status bar keeps the
 * connection state on a narrow terminal, and Tab after `/join ` offers rooms I am not in;
 * actions read "* alice waves", a moderator's notice lands in its room, and a room that will not
 * have me back after a reconnect leaves the list, saying why.
 */
afterEach(cleanUp);

async function openAs(name: string, url: string): Promise<Terminal> {
  const term = await Terminal.open(['chat', url, '--name', name, '--accept-new', '--known-hosts', join(tempDir(), 'known_hosts')], {});
  // Starting compiles the sources (tsx): slow on a loaded machine.
  await term.see(new RegExp(`│ connected │ ${name}`), 30_000);
  return term;
}

describe.skipIf(TMUX_MISSING)(`parley chat (terminal UI), clients that hold up${TMUX_MISSING ? ' (skipped: tmux is not installed)' : ''}`, () => {
  it('my own /topic shows in the header, a /nick is said once, /away and /back show in the status bar and member list', async () => {
    const srv = await server();
    const bob = await person(srv, { kind: 'guest', name: 'bob' });
    await bob.join('#general');
    const presence: string[] = [];
    bob.on('presence', (e) => presence.push(`${e.user} ${e.status}`));
    const term = await openAs('alice', `tls://127.0.0.1:${srv.tlsPort}`);
    await term.see(/● bob/);

    // The server sends no topic event to the connection that set it: the header follows the reply.
    await term.type('/topic release day');
    await term.press('Enter');
    await term.see(/^ #general — release day/m);
    await term.see('you set the topic of #general: release day');

    // The reply and the nick event both say it; once on screen is enough.
    await term.type('/nick alicia');
    await term.press('Enter');
    // Both have come when the member list (the event) and the status bar (the reply) show the new name.
    const renamed = await term.see(/● alicia[\s\S]*│ connected │ alicia/);
    expect(renamed.match(/now alicia/g)).toHaveLength(1);

    await term.type('/away gone for lunch');
    await term.press('Enter');
    await term.see(/◐ alicia[\s\S]*│ connected │ alicia │ away: gone for lunch/);
    await term.see('you are away: gone for lunch');
    await waitFor(() => presence.includes('alicia away'), 'bob to see alicia away');
    await term.type('/back');
    await term.press('Enter');
    const back = await term.see(/● alicia[\s\S]*you are back[\s\S]*│ connected │ alicia *\n/);
    expect(back).not.toMatch(/away: gone for lunch\s*\n\[/);
    await waitFor(() => presence.includes('alicia online'), 'bob to see alicia back');
  }, 60_000);

  it('Tab after /join completes a room I am not in; the status bar keeps the connection state at 60 and 40 columns', async () => {
    const srv = await server();
    const bob = await person(srv, { kind: 'guest', name: 'bob' });
    await bob.join('#design');
    const term = await openAs('alice', `tls://127.0.0.1:${srv.tlsPort}`);

    // Not in #design: the completion comes from the server's room list.
    await term.type('/join #de');
    await term.press('Tab');
    await term.see(/^\[#general\] \/join #design *$/m);
    await term.press('Enter');
    await term.see(/^ #design/m);
    await term.see(/Members \(2\)/);

    for (const cols of [60, 40]) {
      await term.tmux('resize-window', '-t', 'tui', '-x', String(cols), '-y', '20');
      const screen = await term.see(new RegExp(`^.*│ connected │ alice *\\n\\[#design\\]`, 'm'));
      const lines = screen.replace(/\n$/, '').split('\n');
      expect(lines).toHaveLength(20);
      expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(cols);
      expect(lines[18]).toMatch(/│ connected │ alice *$/);
    }
  }, 60_000);

  it('/me is an action both ways; a mute notice lands in its room; a room that turned invite-only is dropped after a reconnect, saying why', async () => {
    const srv = await restartable();
    // The first account is the server's owner: she may mute anywhere.
    const olga = await person(srv.server, { kind: 'register', name: 'olga', password: 'correct-horse-battery' });
    await olga.request('create', { room: '#secret' });
    const term = await openAs('alice', `tls://127.0.0.1:${srv.ports.tls}`);
    await term.type('/join #secret');
    await term.press('Enter');
    await term.see(/^ #secret/m);

    await olga.send('#secret', 'waves', { kind: 'action' });
    await term.see(/\d\d:\d\d \* olga waves/);
    await term.type('/me waves back');
    await term.press('Enter');
    await term.see(/\d\d:\d\d \* alice waves back/);
    await waitFor(() => olga.received.some((m) => m.from === 'alice' && m.text === 'waves back' && m.kind === 'action'), 'olga to get the action');

    // Muted in #general while looking at #secret: the notice belongs to #general.
    await olga.request('mute', { room: '#general', name: 'alice', reason: 'calm down' });
    await term.press('M-1');
    await term.see(/^ #general[\s\S]*olga muted you in #general: calm down/m);
    await term.press('M-2');
    const secret = await term.see(/^ #secret/m);
    expect(secret).not.toMatch(/muted you/);
    await term.press('M-1');
    await term.see(/^ #general/m);

    await olga.request('mode', { room: '#secret', invite_only: true });
    await srv.stop();
    await term.see(/│ reconnecting/);
    await srv.start();
    const dropped = await term.see(/You are no longer in #secret[\s\S]*invite-only[\s\S]*│ (connected|resumed \(\d+ missed\)) │ alice/, 30_000);
    expect(dropped).not.toMatch(/^\d #secret/m);
    // (The server's own notice of the mode change, above it, still says "invite_only".)
    expect(dropped.slice(dropped.indexOf('You are no longer'))).not.toMatch(/INVITE_ONLY|invite_only/);
  }, 90_000);
});
