import { createInterface } from 'node:readline';
import { ParleyClient, ParleyClientError } from '@parley/client';
import { committedText, formatMessage, roomLostText, stoppedText } from './chat-format.ts';
import { classifyInput, partReason } from '@parley/protocol';
import { commandHelp, runServerCommand, slashWord, type ChatContext } from './chat-commands.ts';
import { chatTransport, parseChatOptions, type ChatOptions } from './chat-options.ts';
import { plainE2eSetup } from './chat-plain-e2e.ts';
import { drainWithin, e2eReadyWithin } from './drain-on-quit.ts';
import { E2E_USAGE, PLAIN_LINE_USAGE } from './e2e-commands.ts';

/** How long the line client waits for its end-to-end device before reading input. */
const E2E_READY_WAIT_MS = 10_000;

/**
 * `parley chat`: the full-screen terminal UI when stdout is a terminal, else (or with `--plain`)
 * the line client.
 */
export async function chat(argv: string[]): Promise<number> {
  const options = parseChatOptions(argv);
  if (typeof options === 'string') {
    process.stderr.write(`${options}\n`);
    return 2;
  }
  // A dumb terminal (Emacs shell buffers, some screen readers) cannot draw the full screen.
  if (!options.plain && process.stdout.isTTY && process.stdin.isTTY && process.env.TERM !== 'dumb') {
    // Ink prints only the final frame when it thinks it runs in CI (CI=true): a person at a
    // terminal is not CI. is-in-ci reads the environment when ink is first imported.
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
    const { runTui } = await import('./tui/run-tui.tsx');
    return runTui(options);
  }
  return chatPlain(options);
}

/**
 * `parley chat --plain`: a line-oriented client for scripts and screen readers. Incoming events
 * go to stdout one line each; status and errors go to stderr. Ends at end of input once every
 * message sent has been acknowledged (a script's last lines must arrive, even after an outage),
 * or at /quit after at most DRAIN_ON_QUIT_MS (a person asked to leave).
 */
async function chatPlain(options: ChatOptions): Promise<number> {
  const status = (line: string) => process.stderr.write(`* ${line}\n`);
  const out = (line: string) => process.stdout.write(`${line}\n`);

  const e2eSetup = await plainE2eSetup(options, { out, status });
  const client = new ParleyClient({
    url: options.urls,
    credentials: options.credentials,
    clientName: 'parley-chat-plain',
    transport: chatTransport(options),
    ...e2eSetup.clientOptions,
  });
  const e2e = e2eSetup.attach(client);
  // A new connection starts online; someone who was away says so again after a reconnect.
  let away = false;
  const ctx: ChatContext = {
    client,
    room: undefined,
    out,
    status,
    presence: (now) => (away = now === 'away'),
    // One send per person: each DM is end-to-end encrypted on its own (or refused).
    send: (to, text, kind) => to.forEach((name) => e2e.send(name, text, { kind })),
  };
  // Ends reading input when the client stops for good (a kick, a ban): nothing typed could be sent.
  const stopped = new AbortController();
  client.on('state', (s) => {
    if (s.state === 'reconnecting' && s.delayMs !== undefined) status(`disconnected; reconnecting in ${s.delayMs} ms`);
    else if (s.state === 'connected' && s.resumed) {
      status(`resumed; ${s.missed ?? 0} missed message(s) fetched`);
      if (away) void client.request('presence', { status: 'away' }).catch(() => undefined);
    } else if (s.state === 'closed' && s.error && s.error.errorName !== 'CLOSED' && client.identity) {
      // (A first connection that fails is reported where connect() rejects.)
      status(stoppedText(s.error));
      stopped.abort();
    }
  });
  client.on('failover', (e) => status(`${e.from} is gone; continuing on ${e.to}`));
  client.on('message', (m) => {
    // A change of a conversation's encrypted group (seen only with --no-e2e) is not a message.
    if (m.kind !== 'mls_commit') out(formatMessage(m, client.identity?.name));
  });
  client.on('committed', (c) => status(committedText(c.receipt.to, c.message.text)));
  client.on('join', (e) => out(`[${e.room}] * ${e.user} joined`));
  client.on('part', (e) => {
    const reason = partReason(e);
    out(`[${e.room}] * ${e.user} left${reason ? ` (${reason})` : ''}`);
  });
  client.on('topic', (e) => out(`[${e.room}] * ${e.by} set the topic: ${e.topic}`));
  client.on('room_deleted', (e) => out(`[${e.room}] * room deleted by ${e.by}`));
  client.on('presence', (e) => out(`* ${e.user} is ${e.status}`));
  client.on('nick', (e) => out(`* ${e.old} is now ${e.new}`));
  client.on('notice', (e) => out(e.room ? `[${e.room}] * ${e.text}` : `* notice: ${e.text}`));
  client.on('room_lost', (e) => {
    if (ctx.room?.toLowerCase() === e.room.toLowerCase()) ctx.room = undefined;
    status(roomLostText(e.room, e.error));
  });
  // An error that stops the client (a kick, a ban) is said when it stops, above.
  client.on('error', (e) => {
    if (e.action !== 'stop') status(`error ${e.code ?? ''} ${e.errorName}: ${e.message}`);
  });

  let identity;
  try {
    identity = await client.connect();
  } catch (error) {
    const failure = error as ParleyClientError;
    process.stderr.write(`parley chat: ${failure.errorName}: ${failure.message}\n`);
    return 1;
  }
  status(`connected to ${client.url.href} as ${identity.name} (${identity.kind})`);
  // DMs typed at once should find the device set up (a failure is said by PlainE2e, once).
  await e2eReadyWithin(client, E2E_READY_WAIT_MS);
  await runServerCommand(ctx, `/join ${options.room}`).catch((error: Error) => status(`cannot join ${options.room}: ${error.message}`));

  const rl = createInterface({ input: process.stdin, terminal: false, signal: stopped.signal });
  let quit = false;
  for await (const line of rl) {
    if (line.trim() === '') continue;
    const input = classifyInput(line);
    const word = input.kind === 'command' ? slashWord(line) : undefined;
    try {
      if (word === 'quit' || word === 'exit') {
        quit = true;
        break;
      }
      if (word === 'help' || word === '?') printHelp(status);
      else if (word !== undefined && (await e2e.command(word, line.replace(/^\/{1,2}\S*/, '')))) continue;
      else if (word !== undefined) await runServerCommand(ctx, line);
      else if (!ctx.room) status('no current room: /join #room first');
      else e2e.send(ctx.room, input.kind === 'text' ? input.text : line);
    } catch (error) {
      const failure = error as ParleyClientError;
      status(`${failure.errorName ?? 'error'}: ${failure.message}`);
    }
  }
  // /quit leaves the loop with stdin still open; closing it lets the process end.
  rl.close();
  process.stdin.destroy();
  if (stopped.signal.aborted) return 1;
  if (!quit) await Promise.all([client.drain(), e2e.sender.idle()]);
  else if (!(await drainWithin(client, { sends: () => e2e.sender.idle() }))) status('quitting: some messages were not acknowledged by the server and may not have been delivered');
  await client.close();
  return 0;
}

function printHelp(status: (line: string) => void): void {
  const { chat, operator } = commandHelp();
  for (const usage of chat) status(usage);
  for (const usage of [E2E_USAGE.verify, E2E_USAGE.trust, PLAIN_LINE_USAGE]) status(usage);
  status('/help   this list;  /quit   leave (after pending messages are delivered)');
  status('anything else is sent to the current room ("//text" sends "/text")');
  status('operator commands (need a server role, or a room role for that room):');
  for (const usage of operator) status(usage);
}
