import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../src/index.ts';
import { chat, cleanUp, person, restartable, server, tempDir, type Chat } from './chat-plain-process.ts';

/**
 * End-to-end encryption in the line client (`parley chat --plain`), as scripts and screen-reader
 * users run it: real server and client processes (chat-plain-process.ts). The full-screen UI's
 * side is tui-e2e.test.ts.
 */
afterEach(cleanUp);

const BUDGET_MS = 120_000;

/** The digits the last `/verify` printed on stdout. */
async function safetyNumber(who: Chat, peer: string): Promise<string> {
  await waitFor(() => who.stdout().some((l) => l.startsWith(`* Compare it with ${peer}`)), `${peer}'s safety number`);
  const lines = who.stdout();
  const at = lines.findLastIndex((l) => l.startsWith(`* safety number with ${peer}`));
  return lines.slice(at + 1, at + 3).map((l) => l.replace(/^\*\s+/, '')).join(' ');
}

describe('parley chat --plain, end to end encrypted', () => {
  it('encrypted DMs unmarked, plaintext ones marked; /verify, /plain, and a changed identity refused until /trust', async () => {
    const srv = await server(tempDir());
    const url = `tcp://127.0.0.1:${srv.tcpPort}`;
    const env = { PARLEY_KNOWN_HOSTS: join(tempDir(), 'known_hosts') };
    const login = (name: string, dir: string, args: string[] = []) => chat(url, ['--name', name, '--password', `pw-${name}-plain-e2e`, ...args], { ...env, PARLEY_E2E_DIR: dir });
    const alice = login('alice', tempDir(), ['--register']);
    const bob = login('bob', tempDir(), ['--register']);
    await alice.see(/end-to-end encryption on[\s\S]*joined #general/);
    await bob.see(/end-to-end encryption on[\s\S]*joined #general/);

    alice.type('/msg bob psst');
    await bob.see('[dm] alice: psst');
    alice.type('/verify bob');
    bob.type('/verify alice');
    const number = await safetyNumber(alice, 'bob');
    expect(number).toMatch(/^\d{5}( \d{5}){11}$/);
    expect(await safetyNumber(bob, 'alice')).toBe(number);
    alice.type('/verify bob yes');
    await alice.see('* bob is verified. If bob\'s identity key ever changes, you will be warned.');

    const carol = await person(url, { kind: 'register', name: 'carol', password: 'pw-carol-plain-e2e' });
    alice.type('/msg carol are you there?');
    await alice.see(/not sent to carol: carol has no end-to-end encryption keys[^\n]*To send it unencrypted anyway: \/plain carol <message>/);
    alice.type('/plain carol are you there?');
    await alice.see('[dm → carol] [unencrypted] alice: are you there?');
    await waitFor(() => carol.received.some((m) => m.text === 'are you there?'), 'carol to get it');
    await carol.send('alice', 'yes, in plaintext');
    await alice.see('[dm] [unencrypted] carol: yes, in plaintext');

    // bob starts over elsewhere with a new key: alice is warned and refuses until she accepts it.
    bob.process.stdin.end();
    expect(await bob.exited).toBe(0);
    const newBob = login('bob', tempDir(), ['--reset-identity']);
    await newBob.see(/end-to-end encryption on[\s\S]*joined #general/);
    await alice.see(/\* WARNING: bob's identity key has CHANGED/);
    alice.type('/msg bob still you?');
    await alice.see(/not sent to bob: bob's identity key changed\. Compare safety numbers \(\/verify bob\)/);
    alice.type('/trust bob');
    await alice.see("* You accepted bob's new identity key: messages to bob are encrypted for bob's new devices. It is not verified: /verify bob to compare safety numbers.");
    alice.type('/msg bob welcome back');
    await newBob.see('[dm] alice: welcome back');
    expect(newBob.stdout()).not.toContain('[dm] alice: still you?');
  }, BUDGET_MS);

  it("a guest's DM typed while the server restarts is sent encrypted once it is back (a new guest id, a new certificate)", async () => {
    const srv = await restartable({ tls: true });
    const first = await srv.start();
    const env = { PARLEY_KNOWN_HOSTS: join(tempDir(), 'known_hosts'), PARLEY_E2E_DIR: tempDir() };
    const alice = chat(`tls://127.0.0.1:${srv.tlsPort}`, ['--name', 'alice', '--password', 'pw-alice-plain-e2e', '--register', '--accept-new'], env);
    const bob = chat(`ws://127.0.0.1:${srv.httpPort}/ws`, ['--name', 'bob'], env);
    await alice.see(/joined #general/);
    await bob.see(/joined #general/);
    alice.type('/msg bob before');
    await bob.see('[dm] alice: before');
    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await bob.see(/disconnected; reconnecting/);
    bob.type('/msg alice typed while it was down');
    await srv.start();
    await alice.see('[dm] bob: typed while it was down', 30_000);
    console.log('BOBERR', bob.stderr()); expect(bob.stderr()).not.toMatch(/End-to-end encryption is off|not sent/);
  }, BUDGET_MS);
});
