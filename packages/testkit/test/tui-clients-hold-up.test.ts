import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../src/index.ts';
import { cleanUp, person, server, tempDir, Terminal, TMUX_MISSING } from './tui-terminal.ts';

/**
 * Issue "Clients that hold up", the full-screen terminal UI: what I do myself shows where I
 * look (my topic in the header, my rename once, my away status), the status bar keeps the
 * connection state on a narrow terminal, and Tab after `/join ` offers rooms I am not in.
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
});
