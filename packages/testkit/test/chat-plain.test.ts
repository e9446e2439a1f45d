import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../src/index.ts';
import { chat, cleanUp, restartable, server, tempDir } from './chat-plain-process.ts';

/** `parley chat --plain` as people and scripts run it: real server, real client processes (chat-plain-process.ts). */
afterEach(cleanUp);

describe('parley chat --plain', () => {
  it('two people talk in #general and by /msg over tls:// and ws://, and keep talking across a server restart', async () => {
    const knownHosts = join(tempDir(), 'known_hosts');
    const env = { PARLEY_KNOWN_HOSTS: join(tempDir(), 'default_known_hosts') };
    const srv = await restartable({ tls: true });
    const { tlsPort, tcpPort, httpPort } = srv;
    const first = await srv.start();
    expect([first.tlsPort, first.tcpPort, first.httpPort]).toEqual([tlsPort, tcpPort, httpPort]);

    const alice = chat(`tls://127.0.0.1:${tlsPort}`, ['--name', 'alice', '--password', 'correct-horse', '--register', '--accept-new', '--known-hosts', knownHosts], env);
    const bob = chat(`ws://127.0.0.1:${httpPort}/ws`, ['--name', 'bob'], env);
    await alice.see(/connected to tls:\/\/127\.0\.0\.1:\d+ as alice \(account\)[\s\S]*joined #general/);
    await bob.see(/connected to ws:\/\/127\.0\.0\.1:\d+\/ws as bob \(guest\)[\s\S]*joined #general/);
    expect(readFileSync(knownHosts, 'utf8')).toMatch(new RegExp(`^127\\.0\\.0\\.1:${tlsPort} [0-9A-F:]{95}$`, 'm'));

    alice.type('hello');
    await bob.see('[#general] alice: hello');
    alice.type('/msg bob psst');
    await bob.see('[dm] alice: psst');
    bob.type('hi alice');
    await alice.see('[#general] bob: hi alice');
    bob.type('/msg alice psst back');
    await alice.see('[dm] bob: psst back');

    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await alice.see(/disconnected; reconnecting in \d+ ms/);
    await bob.see(/disconnected; reconnecting in \d+ ms/);
    alice.type('typed while the server was down');
    bob.type('me too');
    bob.type('/msg alice queued dm');

    await srv.start();
    await alice.see(/resumed; \d+ missed message\(s\) fetched/);
    await bob.see(/resumed; \d+ missed message\(s\) fetched/);
    await bob.see('[#general] alice: typed while the server was down');
    await alice.see('[#general] bob: me too');
    await alice.see('[dm] bob: queued dm');
    alice.type('after the restart');
    alice.type('/msg bob still here');
    bob.type('welcome back');
    await bob.see('[#general] alice: after the restart');
    await bob.see('[dm] alice: still here');
    await alice.see('[#general] bob: welcome back');

    // Both processes are the original ones, and every line arrived exactly once.
    expect(alice.process.exitCode).toBeNull();
    expect(bob.process.exitCode).toBeNull();
    await sleep(200);
    for (const line of ['[#general] alice: hello', '[dm] alice: psst', '[#general] alice: typed while the server was down', '[#general] alice: after the restart', '[dm] alice: still here']) {
      expect(bob.count(line), line).toBe(1);
    }
    for (const line of ['[#general] bob: hi alice', '[dm] bob: psst back', '[#general] bob: me too', '[dm] bob: queued dm', '[#general] bob: welcome back']) {
      expect(alice.count(line), line).toBe(1);
    }
    expect(bob.stdout().filter((l) => / alice: /.test(l))).toEqual([
      '[#general] alice: hello',
      '[dm] alice: psst',
      '[#general] alice: typed while the server was down',
      '[#general] alice: after the restart',
      '[dm] alice: still here',
    ]);
  });

  it('exits 0 at end of input once its pending sends are acknowledged', async () => {
    const dataDir = tempDir();
    const env = { PARLEY_KNOWN_HOSTS: join(tempDir(), 'known_hosts') };
    const srv = await server(dataDir);
    const bob = chat(`ws://127.0.0.1:${srv.httpPort}/ws`, ['--name', 'bob'], env);
    await bob.see(/joined #general/);
    const alice = chat(`tcp://127.0.0.1:${srv.tcpPort}`, ['--name', 'alice'], env);
    // Typed before it is even connected, then end of input at once.
    alice.type('last words');
    alice.type('/msg bob and a dm');
    alice.type('really the last');
    alice.process.stdin.end();
    expect(await alice.exited).toBe(0);
    await bob.see('[#general] alice: last words');
    await bob.see('[dm] alice: and a dm');
    await bob.see('[#general] alice: really the last');
    // The room's lines in the order typed; the DM (decrypted on its own conversation's queue) may print before or after them.
    expect(bob.stdout().filter((l) => /^\[#general\] alice: /.test(l))).toEqual(['[#general] alice: last words', '[#general] alice: really the last']);
    expect(bob.stdout().filter((l) => l === '[dm] alice: and a dm')).toHaveLength(1);
  });

  it('an owner looks a user up, kicks one from the room and one off the server; a guest is refused', async () => {
    const srv = await server(tempDir());
    const env = { PARLEY_KNOWN_HOSTS: join(tempDir(), 'known_hosts') };
    const url = `tcp://127.0.0.1:${srv.tcpPort}`;
    // The first account on a fresh data dir is the server's owner.
    const alice = chat(url, ['--name', 'alice', '--password', 'correct-horse', '--register'], env);
    await alice.see(/as alice \(account\)[\s\S]*joined #general/);
    const bob = chat(url, ['--name', 'bob'], env);
    const carol = chat(url, ['--name', 'carol'], env);
    await bob.see(/joined #general/);
    await carol.see(/joined #general/);

    bob.type('/kill carol');
    await bob.see(/FORBIDDEN: KICK needs the operator role/);
    expect(carol.process.exitCode).toBeNull();

    alice.type('/whois bob');
    await alice.see('* bob: guest, role guest, online');
    await waitFor(() => alice.stdout().find((l) => /^\*   connection \d+ over tcp since \S+ from 127\.0\.0\.1$/.test(l)), 'a session line with the address');
    await alice.see('*   rooms: #general');

    alice.type('/kick #general carol off topic');
    await alice.see('* kicked carol from #general');
    await carol.see('[#general] * carol left (kicked by alice: off topic)');
    alice.type('/kill bob bye');
    await alice.see('* kicked bob (1 connection(s) closed)');
    await bob.see(/You were disconnected by an operator: You were kicked by alice: bye\. Parley will not reconnect\./);
    // Nothing typed could be sent any more: the process ends instead of waiting for input.
    expect(await bob.exited).toBe(1);
    expect(bob.stderr()).not.toMatch(/reconnecting/);
  });

  // Four processes, each compiling TypeScript as it starts: slow on a loaded machine.
  it('talks over wss:// to an HTTPS listener, pinning its certificate like tls://', { timeout: 60_000 }, async () => {
    const srv = await server(tempDir(), ['--http', '127.0.0.1:0,https://127.0.0.1:0']);
    const httpsPort = Number(/HTTPS https:\/\/127\.0\.0\.1:(\d+)\//.exec(srv.stderr())?.[1]);
    const knownHosts = join(tempDir(), 'known_hosts');
    const url = `wss://127.0.0.1:${httpsPort}/ws`;
    const stranger = chat(url, ['--name', 'eve', '--known-hosts', knownHosts], {});
    stranger.process.stdin.end();
    expect(await stranger.exited).toBe(1);
    expect(stranger.stderr()).toMatch(/HOST_UNKNOWN: 127\.0\.0\.1:\d+ is not a known host/);
    const alice = chat(url, ['--name', 'alice', '--accept-new', '--known-hosts', knownHosts], {});
    await alice.see(/joined #general/);
    const bob = chat(url, ['--name', 'bob', '--known-hosts', knownHosts], {});
    await bob.see(/joined #general/);
    alice.type('over wss');
    await bob.see('[#general] alice: over wss');
  });

  it('refuses an unknown TLS server without --accept-new and exits 1', async () => {
    const srv = await server(tempDir());
    const knownHosts = join(tempDir(), 'known_hosts');
    const stranger = chat(`tls://127.0.0.1:${srv.tlsPort}`, ['--name', 'eve', '--known-hosts', knownHosts], {});
    stranger.process.stdin.end();
    expect(await stranger.exited).toBe(1);
    expect(stranger.stderr()).toMatch(/HOST_UNKNOWN: 127\.0\.0\.1:\d+ is not a known host/);
  });
});
