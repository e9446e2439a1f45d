import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../src/index.ts';
import { chat, cleanUp as cleanUpPlain } from './chat-plain-process.ts';
import { FederationTestbed } from './federation-kit.ts';
import { homeAndMirror } from './home-and-mirror.ts';
import { cleanUp as cleanUpTerminals, Terminal, TMUX_MISSING } from './tui-terminal.ts';

/**
 * `parley chat` in a room homed on another server (docs/tui.md, "Rooms on other servers"): two
 * real server processes, the room homed on a.test, the client signed in on b.test. `/join
 * #dev@a.test` opens it, a.test's people are `alice@a.test`, and a line typed while a.test is
 * killed says it waits for a.test until a.test is back and has taken it. The full-screen UI in
 * tmux (tui-terminal.ts), and `--plain` as a process (chat-plain-process.ts).
 */
const bed = new FederationTestbed();
afterEach(async () => {
  await cleanUpTerminals();
  await cleanUpPlain();
  await bed.cleanup();
});

const ROOM = '#dev@a.test';
const COMMIT_BUDGET_MS = 60_000;
const account = (name: string) => ['--name', name, '--password', `${name}-password-123`, '--register', '--no-e2e'];

describe('parley chat in a room homed on another server', () => {
  it.skipIf(TMUX_MISSING)(`the terminal UI joins it, shows remote names, and marks a send waiting while the home is down${TMUX_MISSING ? ' (skipped: tmux is not installed)' : ''}`, async () => {
    const pair = await homeAndMirror(bed);
    const alice = await bed.user(pair.home, 'alice');
    await alice.ok('join', { room: '#dev' });
    // An account: a guest's membership of a room homed elsewhere ends with its connection.
    const term = await Terminal.open(['chat', `tcp://127.0.0.1:${pair.mirror.tcpPort}`, ...account('bob')], {});
    await term.see(/^ #general/m);
    await term.type(`/join ${ROOM}`);
    await term.press('Enter');
    await term.see(/^ #dev@a\.test/m);
    await alice.event((e) => e.ev === 'join' && e.user === 'bob@b.test', 15_000);

    await alice.ok('send', { to: '#dev', text: 'hello from a' });
    await term.see(/\d\d:\d\d alice@a\.test: hello from a/);
    const carol = await bed.user(pair.home, 'carol');
    await carol.ok('join', { room: '#dev' });
    const screen = await term.see(/→ carol@a\.test joined/);
    // Everyone: alice was in the room before bob's server joined it (the home lists its members to each mirror).
    expect(screen).toMatch(/Members \(3\)/);
    expect(screen).toMatch(/● alice@a\.test/);
    expect(screen).toMatch(/● carol@a\.test/);
    await term.type('hello from b');
    await term.press('Enter');
    await term.see(/\d\d:\d\d bob: hello from b/);
    await alice.event((e) => e.ev === 'message' && e.text === 'hello from b', 15_000);

    await pair.killHome();
    await term.type('while a is down');
    await term.press('Enter');
    await term.see(/bob: while a is down\s+│[\s\S]*waiting for a\.test…/);
    await pair.restartHome();
    const after = await term.notSee('waiting for a.test…');
    expect(after).toMatch(/\d\d:\d\d bob: while a is down/);
    expect(after.match(/while a is down/g)).toHaveLength(1);
  }, 120_000);

  it('--plain prints remote names, and says when a send waits for the home and when it is delivered', async () => {
    const pair = await homeAndMirror(bed);
    const alice = await bed.user(pair.home, 'alice');
    await alice.ok('join', { room: '#dev' });
    const plain = chat(`tcp://127.0.0.1:${pair.mirror.tcpPort}`, [...account('bob'), '--room', ROOM], {});
    await plain.see(/\* joined #dev@a\.test/);
    await alice.event((e) => e.ev === 'join' && e.user === 'bob@b.test', 15_000);
    await alice.ok('send', { to: '#dev', text: 'hello from a' });
    await plain.see('[#dev@a.test] alice@a.test: hello from a');
    // A DM across servers (this session has no end-to-end encryption, which does not cross servers yet anyway).
    plain.type('/msg alice@a.test psst');
    await alice.event((e) => e.ev === 'message' && e.text === 'psst' && e.from === 'bob@b.test', 15_000);
    await alice.ok('send', { to: 'bob@b.test', text: 'psst back' }, 15_000);
    await plain.see('[dm] [unencrypted] alice@a.test: psst back');

    await pair.killHome();
    plain.type('while a is down');
    await plain.see(/\* \[#dev@a\.test\] waiting for a\.test: while a is down/);
    await pair.restartHome();
    await plain.see(/\* \[#dev@a\.test\] delivered to a\.test: while a is down/, COMMIT_BUDGET_MS);
    const alice2 = await bed.user(pair.home, 'alice', 'login');
    await alice2.ok('join', { room: '#dev' });
    await alice2.ok('send', { to: '#dev', text: 'welcome back' });
    await plain.see('[#dev@a.test] alice@a.test: welcome back');
    // Its own line is never printed as someone's message.
    expect(plain.stdout().filter((line) => line.includes('while a is down'))).toEqual([]);
    plain.process.stdin.end();
    expect(await plain.exited).toBe(0);
    await waitFor(() => plain.process.exitCode !== null, 'the line client to exit', 15_000);
  }, 120_000);
});
