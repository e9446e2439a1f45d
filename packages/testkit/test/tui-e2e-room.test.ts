import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../src/index.ts';
import { cleanUp, person, server, tempDir, Terminal, TMUX_MISSING } from './tui-terminal.ts';

/**
 * End-to-end encrypted rooms in `parley chat`, the full-screen UI in tmux against a real server
 * (tui-terminal.ts): every room's header says whether it is end-to-end encrypted, `/encrypt` and
 * `/mode +E` turn it on (its owners only), messages arrive as text while the server holds only
 * ciphertext, and a session with `--no-e2e` is told it can neither read nor write there.
 * DMs are tui-e2e.test.ts.
 */
afterEach(cleanUp);

// Two or three `parley chat` processes (tsx-compiled at start) and MLS group changes, on a loaded 2-core runner.
const BUDGET_MS = 180_000;
// Nobody is the server's owner: a room's owner is its creator alone (the first account would be an owner everywhere).
const SETTINGS = { moderation: { first_account_owner: false } };
const marker = (what: string) => `${what}${randomBytes(5).toString('hex')}`;

/** Every file under `dir`, as bytes (the server's database, WAL and logs). */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, bytes: readFileSync(path) }];
  });
}

/** An account in a terminal of its own, with its own e2e directory. */
async function account(srv: TestServer, input: { name: string; knownHosts: string; args?: string[] }): Promise<Terminal> {
  const { name, knownHosts, args = [] } = input;
  const term = await Terminal.open(['chat', `tls://127.0.0.1:${srv.tlsPort}`, '--name', name, '--register', '--accept-new', '--known-hosts', knownHosts, ...args], {
    PARLEY_PASSWORD: `pw-${name}-tui-e2e-room`,
    PARLEY_E2E_DIR: tempDir(),
    LANG: 'C.UTF-8',
  });
  // Wide enough that the lines asserted on do not wrap.
  await term.tmux('resize-window', '-t', 'tui', '-x', '140', '-y', '40');
  await term.see(new RegExp(`│ connected │ ${name}`), 60_000);
  return term;
}

async function enter(term: Terminal, line: string): Promise<void> {
  await term.type(line);
  await term.press('Enter');
}

/** `text` as the message pane shows it, wrapped at any of its spaces onto the next row. */
const wrapped = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s│]+'));

/** The header row of `room` on screen, with its encryption label. */
const header = (room: string, label: string) => new RegExp(`^ ${room} .*${label.replace(/[()]/g, '\\$&')}`, 'm');
const ENCRYPTED = '🔒 end-to-end encrypted';
const PLAIN = 'not end-to-end encrypted';

describe.skipIf(TMUX_MISSING)(`parley chat, end-to-end encrypted rooms${TMUX_MISSING ? ' (skipped: tmux is not installed)' : ''}`, () => {
  it('/encrypt creates an encrypted room and /mode +E turns one on (owners only): both headers say so, text arrives, the server keeps only ciphertext', async () => {
    const srv = await server(SETTINGS);
    const knownHosts = join(tempDir(), 'known_hosts');
    const alice = await account(srv, { name: 'alice', knownHosts });
    const bob = await account(srv, { name: 'bob', knownHosts });
    await alice.see(header('#general', PLAIN));

    // alice makes #secret encrypted from the start; bob joins it and sees the same.
    await enter(alice, '/encrypt #secret');
    await alice.see(/created #secret, end-to-end encrypted: only its members' devices can read/);
    await alice.see(header('#secret', ENCRYPTED));
    await enter(bob, '/join #secret');
    await bob.see(header('#secret', ENCRYPTED));
    await alice.see(/→ bob joined/);
    const hello = marker('HELLO');
    await enter(alice, `hello ${hello}`);
    let screen = await bob.see(new RegExp(`\\d\\d:\\d\\d alice: hello ${hello}`), 30_000);
    expect(screen).not.toMatch(/could not be decrypted|cannot be read/);
    const reply = marker('REPLY');
    await enter(bob, `got it ${reply}`);
    await alice.see(new RegExp(`bob: got it ${reply}`), 30_000);

    // bob's plain room: not encrypted for either, until its owner says +E; alice may not.
    await enter(bob, '/create #plans');
    await bob.see(header('#plans', PLAIN));
    await enter(alice, '/join #plans');
    await alice.see(header('#plans', PLAIN));
    await enter(alice, '/encrypt');
    screen = await alice.see(wrapped('FORBIDDEN: only an owner of #plans (or a server operator) turns on its end-to-end encryption.'));
    expect(screen).toMatch(header('#plans', PLAIN));
    await enter(bob, '/mode +E');
    await bob.see(/#plans modes: end-to-end encrypted \(\+E\)/);
    await bob.see(header('#plans', ENCRYPTED));
    await alice.see(/bob set the modes of #plans: end-to-end encrypted/);
    await alice.see(header('#plans', ENCRYPTED));
    const plans = marker('PLANS');
    await enter(alice, `the plans ${plans}`);
    await bob.see(new RegExp(`alice: the plans ${plans}`), 30_000);
    // The plain room still says it is not, after all that.
    await alice.press('M-1');
    await alice.see(header('#general', PLAIN));

    // Someone without keys reads the rooms' history raw: MLS ciphertext, not one of the texts.
    const carol = await person(srv, { kind: 'register', name: 'carol', password: 'pw-carol-tui-e2e-room' });
    const texts = [hello, reply, plans];
    for (const room of ['#secret', '#plans']) {
      await carol.join(room);
      const page = await carol.request('history', { with: room, limit: 50 });
      const mls = page.messages.filter((m) => m.kind === 'mls');
      expect(mls.length, `${room}'s ciphertext`).toBeGreaterThan(0);
      expect(page.messages.filter((m) => texts.some((t) => m.text.includes(t)))).toEqual([]);
    }
    // Nor any file of the server's data directory.
    expect(filesUnder(srv.dataDir).filter((f) => texts.some((t) => f.bytes.includes(t))).map((f) => f.path)).toEqual([]);
  }, BUDGET_MS);

  it('with --no-e2e an encrypted room says it cannot be used here, shows no ciphertext, and a line typed there is refused with why', async () => {
    const srv = await server(SETTINGS);
    const knownHosts = join(tempDir(), 'known_hosts');
    const alice = await account(srv, { name: 'alice', knownHosts });
    const carol = await account(srv, { name: 'carol', knownHosts, args: ['--no-e2e'] });
    const noE2e = 'encrypted room: end-to-end encryption is off (--no-e2e)';

    await enter(alice, '/encrypt #vault');
    await alice.see(header('#vault', ENCRYPTED));
    await enter(carol, '/join #vault');
    await carol.see(header('#vault', noE2e));
    await alice.see(/→ carol joined/);
    await enter(alice, 'for members with keys');
    await carol.see(wrapped('alice: (an end-to-end encrypted message: this session runs with --no-e2e and cannot read it)'), 30_000);
    await enter(carol, 'can anyone read me?');
    await carol.see(wrapped('not sent: #vault is end-to-end encrypted and this session has no end-to-end encryption (--no-e2e, or it could not be set up here), so the server takes nothing from it there.'));

    // A room turned encrypted while carol is in it: the mode notice changes her header (no SDK e2e to tell her).
    await enter(alice, '/create #open');
    // Wait for the room to exist: a join that wins the race would create it with carol as its owner.
    await alice.see(header('#open', PLAIN));
    await enter(carol, '/join #open');
    await carol.see(header('#open', PLAIN));
    await enter(alice, '/mode +E');
    await carol.see(/alice set the modes of #open: end-to-end encrypted/);
    await carol.see(header('#open', noE2e));
  }, BUDGET_MS);
});
