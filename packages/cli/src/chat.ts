import { createInterface } from 'node:readline';
import { ParleyClient, ParleyClientError, type Credentials } from '@parley/client';
import { KnownHosts, nodeTransport } from '@parley/client/node';
import { parseArgs } from 'node:util';
import { formatMessage } from './chat-format.ts';
import { SLASH_COMMANDS, type ChatContext } from './chat-commands.ts';

const USAGE = 'usage: parley chat [--plain] <tls://host:port | ws://host:port/ws> [--name N] [--password P] [--register] [--accept-new] [--known-hosts FILE] [--room #r]';

function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => rl.question(question, (answer) => (rl.close(), resolve(/^y(es)?$/i.test(answer.trim())))));
}

/**
 * `parley chat --plain`: a line-oriented client for scripts and screen readers. Incoming events
 * go to stdout one line each; status and errors go to stderr. Ends at end of input once every
 * message sent has been acknowledged.
 */
export async function chat(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        plain: { type: 'boolean', default: false },
        name: { type: 'string' },
        password: { type: 'string' },
        register: { type: 'boolean', default: false },
        'accept-new': { type: 'boolean', default: false },
        'known-hosts': { type: 'string' },
        room: { type: 'string', default: '#general' },
      },
    });
  } catch (error) {
    process.stderr.write(`parley chat: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const url = positionals[0];
  if (!url) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const password = values.password ?? process.env.PARLEY_PASSWORD;
  if (values.register && (!values.name || !password)) {
    process.stderr.write('parley chat: --register needs --name and --password (or PARLEY_PASSWORD)\n');
    return 2;
  }
  const credentials: Credentials = password
    ? { kind: values.register ? 'register' : 'login', name: values.name ?? '', password }
    : { kind: 'guest', ...(values.name ? { name: values.name } : {}) };
  const status = (line: string) => process.stderr.write(`* ${line}\n`);
  const out = (line: string) => process.stdout.write(`${line}\n`);

  const client = new ParleyClient({
    url,
    credentials,
    clientName: 'parley-chat-plain',
    transport: nodeTransport({
      acceptNew: values['accept-new'],
      ...(values['known-hosts'] ? { knownHosts: new KnownHosts(values['known-hosts']) } : {}),
      ...(process.stdin.isTTY
        ? { confirmNew: (peer) => askYesNo(`The server ${peer.hostPort} is new. Its certificate fingerprint is\n  ${peer.fingerprint}\nTrust it? [y/N] `) }
        : {}),
    }),
  });
  client.on('state', (s) => {
    if (s.state === 'reconnecting' && s.delayMs !== undefined) status(`disconnected; reconnecting in ${s.delayMs} ms`);
    else if (s.state === 'connected' && s.resumed) status(`resumed; ${s.missed ?? 0} missed message(s) fetched`);
  });
  client.on('message', (m) => out(formatMessage(m, client.identity?.name)));
  client.on('join', (e) => out(`[${e.room}] * ${e.user} joined`));
  client.on('part', (e) => out(`[${e.room}] * ${e.user} left`));
  client.on('topic', (e) => out(`[${e.room}] * ${e.by} set the topic: ${e.topic}`));
  client.on('room_deleted', (e) => out(`[${e.room}] * room deleted by ${e.by}`));
  client.on('presence', (e) => out(`* ${e.user} is ${e.status}`));
  client.on('nick', (e) => out(`* ${e.old} is now ${e.new}`));
  client.on('notice', (e) => out(`* notice: ${e.text}`));
  client.on('error', (e) => status(`error ${e.code ?? ''} ${e.errorName}: ${e.message}`));

  let identity;
  try {
    identity = await client.connect();
  } catch (error) {
    const failure = error as ParleyClientError;
    process.stderr.write(`parley chat: ${failure.errorName}: ${failure.message}\n`);
    return 1;
  }
  status(`connected to ${client.url.href} as ${identity.name} (${identity.kind})`);
  const ctx: ChatContext = { client, room: undefined, out, status };
  await SLASH_COMMANDS.join!.run(ctx, values.room).catch((error: Error) => status(`cannot join ${values.room}: ${error.message}`));

  const rl = createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    try {
      if (line.startsWith('/')) {
        const name = line.slice(1).split(/\s+/)[0]!.toLowerCase();
        const command = SLASH_COMMANDS[name];
        if (!command) {
          status(`unknown command /${name}; /help lists them`);
          continue;
        }
        if ((await command.run(ctx, line.slice(name.length + 1))) === 'quit') break;
      } else if (!ctx.room) {
        status('no current room: /join #room first');
      } else {
        void client.send(ctx.room, line).catch((error: ParleyClientError) => status(`not sent: ${error.errorName}: ${error.message}`));
      }
    } catch (error) {
      const failure = error as ParleyClientError;
      status(`${failure.errorName ?? 'error'}: ${failure.message}`);
    }
  }
  await client.drain();
  await client.close();
  return 0;
}
