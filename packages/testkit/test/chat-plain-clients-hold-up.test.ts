import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../src/index.ts';
import { chat, cleanUp, person, restartable, server, tempDir } from './chat-plain-process.ts';

/**
 * Issue "Clients that hold up", `parley chat --plain`: /quit ends the process at once (a person
 * need not close the input too, nor wait for a server that is down), and /away [message] and /back set my presence,
 * which holds across a reconnect; actions read "* alice waves", a moderator's notice names its
 * room, and a room that will not have me back after a reconnect is dropped, saying why.
 */
afterEach(cleanUp);

/** `promise`, or a failure saying `what` did not happen within `ms`. */
function within<TValue>(promise: Promise<TValue>, ms: number, what: string): Promise<TValue> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('parley chat --plain, clients that hold up', () => {
  it('exits 0 soon after /quit, with its input still open, even while the server is down', async () => {
    const dataDir = tempDir();
    const env = { PARLEY_KNOWN_HOSTS: join(tempDir(), 'known_hosts') };
    const srv = await server(dataDir);
    const url = `tcp://127.0.0.1:${srv.tcpPort}`;
    const bob = chat(url, ['--name', 'bob'], env);
    await bob.see(/joined #general/);
    const alice = chat(url, ['--name', 'alice'], env);
    const carol = chat(url, ['--name', 'carol'], env);
    await alice.see(/joined #general/);
    await carol.see(/joined #general/);
    alice.type('see you');
    alice.type('/quit');
    // Standard input is never ended here: /quit alone has to end the process, after delivering.
    expect(await within(alice.exited, 10_000, 'parley chat --plain to exit after /quit')).toBe(0);
    await bob.see('[#general] alice: see you');

    // With the server gone what carol typed cannot be acknowledged; /quit still ends the process
    // (within the 3 s it waits for acknowledgements), saying so.
    srv.kill('SIGTERM');
    expect(await srv.exited).toBe(0);
    await carol.see(/disconnected; reconnecting/);
    carol.type('into the void');
    carol.type('/quit');
    expect(await within(carol.exited, 10_000, 'parley chat --plain to exit after /quit while the server is down')).toBe(0);
    expect(carol.stderr()).toMatch(/some messages were not acknowledged by the server/);
  });

  it('/away [message] and /back set my presence for the others, and away holds across a reconnect', async () => {
    const env = { PARLEY_KNOWN_HOSTS: join(tempDir(), 'known_hosts') };
    // Fixed ports, so the clients find the server again after the restart.
    const srv = await restartable();
    const first = await srv.start();
    const url = `tcp://127.0.0.1:${srv.tcpPort}`;
    const alice = chat(url, ['--name', 'alice', '--password', 'correct-horse', '--register'], env);
    await alice.see(/joined #general/);
    const bob = chat(url, ['--name', 'bob'], env);
    await bob.see(/joined #general/);

    alice.type('/away back at three');
    await alice.see('* you are away: back at three');
    await bob.see('* alice is away');
    alice.type('/back');
    await alice.see('* you are back');
    await bob.see('* alice is online');
    alice.type('/away');
    await alice.see('* you are away');

    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await alice.see(/disconnected; reconnecting/);
    await srv.start();
    await alice.see(/resumed; \d+ missed message\(s\) fetched/);
    await bob.see(/resumed; \d+ missed message\(s\) fetched/);
    // A new connection starts online; alice's client says away again. Bob asks until it has.
    const awayAgain = (l: string) => /^\* #general: .*alice \(away\)/.test(l);
    await waitFor(
      async () => {
        bob.type('/who');
        await sleep(200);
        return bob.stdout().some(awayAgain);
      },
      () => `bob's /who to show alice away again; bob's output:\n${bob.stdout().join('\n')}`,
      15_000,
    );
  }, 60_000);

  it('/me is an action both ways; a mute notice names its room; a room that turned invite-only is dropped after a reconnect, saying why', async () => {
    const env = { PARLEY_KNOWN_HOSTS: join(tempDir(), 'known_hosts') };
    // Fixed ports, so the clients find the server again after the restart.
    const srv = await restartable();
    const first = await srv.start();
    const url = `tcp://127.0.0.1:${srv.tcpPort}`;
    // The first account is the server's owner: she may mute anywhere.
    const olga = await person(url, { kind: 'register', name: 'olga', password: 'correct-horse-battery' });
    await olga.request('create', { room: '#secret' });
    const alice = chat(url, ['--name', 'alice'], env);
    await alice.see(/joined #general/);
    alice.type('/join #secret');
    await alice.see(/joined #secret/);

    await olga.send('#secret', 'waves', { kind: 'action' });
    await alice.see('[#secret] * olga waves');
    alice.type('/me waves back');
    await waitFor(() => olga.received.some((m) => m.from === 'alice' && m.text === 'waves back' && m.kind === 'action'), 'olga to get the action');

    await olga.request('mute', { room: '#general', name: 'alice', reason: 'calm down' });
    await alice.see('[#general] * olga muted you in #general: calm down');

    await olga.request('mode', { room: '#secret', invite_only: true });
    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await alice.see(/disconnected; reconnecting/);
    await srv.start();
    await alice.see(/You are no longer in #secret: it did not let you back in after the reconnect\. #secret is invite-only now; a moderator can \/invite you\./, 30_000);
    expect(alice.stderr()).not.toMatch(/INVITE_ONLY|invite_only/);
    expect(alice.process.exitCode).toBeNull();
  }, 60_000);
});
