import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type TestServer } from '../src/index.ts';
import { E2eBed } from './e2e-dm-testbed.ts';
import { cleanUp, person, server, tempDir, Terminal, TMUX_MISSING } from './tui-terminal.ts';

/**
 * End-to-end encrypted DMs in `parley chat`, the full-screen UI in tmux against a real server
 * (tui-terminal.ts): on by default for every login, with indicators, safety numbers, plaintext
 * only on purpose, and a loud warning when someone's identity key changes.
 */
afterEach(cleanUp);

const BUDGET_MS = 180_000;
const SAFETY_NUMBER = /safety number with \w+ \(the same on both sides\):.*\n.*?((?:\d{5} ){5}\d{5}).*\n.*?((?:\d{5} ){5}\d{5})/;

/** Every file under `dir`, as bytes (the server's database, WAL and logs). */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, bytes: readFileSync(path) }];
  });
}

/** An account in a terminal of its own, with its own e2e directory. */
async function account(srv: TestServer, input: { name: string; e2eDir: string; knownHosts: string; args?: string[] }): Promise<Terminal> {
  const { name, e2eDir, knownHosts, args = [] } = input;
  const url = `tls://127.0.0.1:${srv.tlsPort}`;
  const term = await Terminal.open(['chat', url, '--name', name, '--accept-new', '--known-hosts', knownHosts, ...args], {
    PARLEY_PASSWORD: `pw-${name}-tui-e2e`,
    PARLEY_E2E_DIR: e2eDir,
    LANG: 'C.UTF-8',
  });
  // Wide enough that the lines asserted on do not wrap.
  await term.tmux('resize-window', '-t', 'tui', '-x', '140', '-y', '40');
  await term.see(new RegExp(`│ connected │ ${name}`), 60_000);
  return term;
}

/** The two safety-number rows shown last on the screen, as one string. */
async function safetyNumber(term: Terminal, peer: string): Promise<string> {
  const screen = await term.see(new RegExp(`safety number with ${peer}[\\s\\S]*Compare it with ${peer}`));
  const match = SAFETY_NUMBER.exec(screen);
  expect(match, screen).not.toBeNull();
  return `${match![1]} ${match![2]}`;
}

async function enter(term: Terminal, line: string): Promise<void> {
  await term.type(line);
  await term.press('Enter');
}

describe.skipIf(TMUX_MISSING)(`parley chat, end to end encrypted${TMUX_MISSING ? ' (skipped: tmux is not installed)' : ''}`, () => {
  it('two accounts DM encrypted and say so, compare safety numbers, verify; a peer without keys is refused until /plain; bad ciphertext is one line each', async () => {
    const srv = await server();
    const knownHosts = join(tempDir(), 'known_hosts');
    const aliceDir = tempDir();
    const alice = await account(srv, { name: 'alice', e2eDir: aliceDir, knownHosts, args: ['--register'] });
    const bob = await account(srv, { name: 'bob', e2eDir: tempDir(), knownHosts, args: ['--register'] });
    // The identity key was made at the first login, readable by its owner only; rooms say they are TLS only.
    const identity = join(aliceDir, `127.0.0.1:${srv.tlsPort}`, 'alice', 'identity.key');
    expect(statSync(identity).mode & 0o777).toBe(0o600);
    await alice.see(/^ #general .*not end-to-end encrypted/m);
    await alice.see(/new end-to-end identity key/);

    const marker = `MARKER${randomBytes(5).toString('hex')}`;
    await enter(alice, `/msg bob hello ${marker}`);
    await bob.see(/2 @alice +1│/);
    await bob.press('M-2');
    let screen = await bob.see(new RegExp(`^ alice — direct messages .*🔒 encrypted, not verified[\\s\\S]*\\d\\d:\\d\\d alice: hello ${marker}`, 'm'));
    expect(screen).not.toMatch(/\[unencrypted\]/);
    await enter(bob, `hi back ${marker}`);
    await alice.press('M-2');
    screen = await alice.see(new RegExp(`^ bob — direct messages .*🔒 encrypted, not verified[\\s\\S]*alice: hello ${marker}[\\s\\S]*bob: hi back ${marker}`, 'm'));
    expect(screen).not.toMatch(/\[unencrypted\]/);

    // Both see the same 60 digits; alice says they match and the header says verified.
    await enter(alice, '/verify');
    const aliceSees = await safetyNumber(alice, 'bob');
    await enter(bob, '/verify alice');
    expect(await safetyNumber(bob, 'alice')).toBe(aliceSees);
    expect(aliceSees.replace(/ /g, '')).toMatch(/^\d{60}$/);
    await enter(alice, '/verify bob yes');
    await alice.see(/bob is verified/);
    await alice.see(/^ bob — direct messages .*🔒 encrypted, verified/m);

    // carol's client has no keys: a DM to her is refused, saying how to send it anyway.
    const carol = await person(srv, { kind: 'register', name: 'carol', password: 'pw-carol-tui-e2e' });
    const control = `CONTROL${randomBytes(5).toString('hex')}`;
    await enter(alice, `/msg carol ${control}`);
    await alice.see(/not sent to carol: carol has no end-to-end encryption keys[\s\S]*\/plain carol <message>/);
    await alice.press('M-3');
    await alice.see(/^ carol — direct messages .*unencrypted: carol has no e2e keys[\s\S]*not sent: carol has no end-to-end/m);
    await enter(alice, `/plain ${control}`);
    await waitFor(() => carol.received.some((m) => m.text === control), 'carol to get the plaintext DM');
    await alice.see(new RegExp(`\\[unencrypted\\] alice: ${control}`));
    await carol.send('alice', 'plain reply');
    await alice.see(/\[unencrypted\] carol: plain reply/);

    // Tampered-with or replayed ciphertext: one line each, then a count, never a flood.
    const bed = new E2eBed(srv);
    try {
      const dave = await bed.device(await bed.person('dave'));
      const [original] = await dave.client.send('alice', 'hi from dave');
      await alice.see(/4 @dave +1│/);
      const raw = await dave.client.request('history', { with: 'alice', after: (original?.seq ?? 1) - 1, limit: 1 });
      for (let i = 1; i <= 6; i++) await dave.client.request('esend', { to: 'alice', data: raw.messages[0]?.text ?? '', cmid: `replay-${i}` });
      await alice.press('M-4');
      screen = await alice.see(/dave: hi from dave[\s\S]*3 more messages from dave could not be decrypted \(E2E_REPLAY\)/);
      expect(screen.match(/a message from dave could not be decrypted: E2E_REPLAY/g)).toHaveLength(3);
    } finally {
      await bed.cleanUp();
    }

    // The server stored the plaintext DM and never the encrypted text.
    const files = filesUnder(srv.dataDir);
    expect(files.some((f) => f.bytes.includes(control))).toBe(true);
    expect(files.filter((f) => f.bytes.includes(marker)).map((f) => f.path)).toEqual([]);
  }, BUDGET_MS);

  it('a second install is told how to bring its key; after --reset-identity the other side is warned and refuses to send until /trust', async () => {
    const srv = await server();
    const knownHosts = join(tempDir(), 'known_hosts');
    const alice = await account(srv, { name: 'alice', e2eDir: tempDir(), knownHosts, args: ['--register'] });
    const bob = await account(srv, { name: 'bob', e2eDir: tempDir(), knownHosts, args: ['--register'] });
    await enter(bob, '/msg alice first contact');
    await alice.see(/2 @bob +1│/);
    await alice.press('M-2');
    await alice.see(/^ bob — direct messages .*🔒 encrypted[\s\S]*bob: first contact/m);
    await enter(bob, '/quit');
    await bob.see('parley exited with 0');

    // bob on another machine, without his key: the server refuses it; rooms still work.
    const otherMachine = tempDir();
    const second = await account(srv, { name: 'bob', e2eDir: otherMachine, knownHosts });
    await second.see(/The server has another identity key for bob[\s\S]*parley keys export-identity/);
    await second.see(/│ e2e off/);
    await enter(second, 'rooms still work');
    await alice.press('M-1');
    await alice.see(/bob: rooms still work/);
    await alice.press('M-2');
    await enter(second, '/quit');
    await second.see('parley exited with 0');

    // He starts over with that machine's key: alice is warned, loudly, and her DMs are refused.
    const reset = await account(srv, { name: 'bob', e2eDir: otherMachine, knownHosts, args: ['--reset-identity'] });
    let screen = await alice.see(/WARNING: bob's identity key has CHANGED/);
    expect(screen).toMatch(/^ bob — direct messages .*⚠ identity changed: \/verify bob/m);
    expect(screen).toMatch(/│ ⚠ identity changed: bob/);
    await enter(alice, 'are you still bob?');
    await alice.see(/not sent: bob's identity key changed\. Compare safety numbers \(\/verify bob\)/);

    // The numbers are new on both sides; after comparing, alice accepts the key and writes again.
    await enter(alice, '/verify bob');
    await alice.see(/bob's identity key CHANGED since you last talked/);
    const aliceSees = await safetyNumber(alice, 'bob');
    await enter(reset, '/verify alice');
    expect(await safetyNumber(reset, 'alice')).toBe(aliceSees);
    await enter(alice, '/trust bob');
    await alice.see(/You accepted bob's new identity key/);
    screen = await alice.see(/^ bob — direct messages .*🔒 encrypted, not verified/m);
    expect(screen).not.toMatch(/│ ⚠ identity changed/);
    await enter(alice, 'welcome back');
    await reset.see(/2 @alice +1│/, 30_000);
    await reset.press('M-2');
    screen = await reset.see(/alice: welcome back/);
    expect(screen).not.toMatch(/\[unencrypted\] alice: welcome back/);
  }, BUDGET_MS);
});
