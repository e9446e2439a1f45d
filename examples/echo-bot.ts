/**
 * An echo bot for Parley: joins a room and answers `!ping` with `pong, <name>!`.
 *
 *   node --import tsx examples/echo-bot.ts tls://127.0.0.1:12345 [--accept-new] [--name echo-bot] [--room #general]
 *
 * The first TLS connection to a self-signed server needs --accept-new (or a known_hosts line,
 * see docs/client.md). Stop it with Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { ParleyClient, ParleyClientError } from '@parley/client';
import { nodeTransport } from '@parley/client/node';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'accept-new': { type: 'boolean', default: false },
    name: { type: 'string', default: 'echo-bot' },
    room: { type: 'string', default: '#general' },
  },
});
const url = positionals[0] ?? 'tls://127.0.0.1:12345';

const client = new ParleyClient({
  url,
  credentials: { kind: 'guest', name: values.name },
  transport: nodeTransport({ acceptNew: values['accept-new'] }),
  clientName: 'echo-bot',
});

client.on('message', (message) => {
  // Only room messages, never our own, and only the exact command.
  if (!message.to.startsWith('#') || message.from === client.identity?.name) return;
  if (message.text.trim() !== '!ping') return;
  client.send(message.to, `pong, ${message.from}!`).catch((error: ParleyClientError) => {
    console.error(`echo-bot: could not reply: ${error.errorName}: ${error.message}`);
  });
});
client.on('state', (change) => {
  if (change.state === 'reconnecting' && change.delayMs !== undefined) console.error(`echo-bot: reconnecting in ${change.delayMs} ms`);
  if (change.state === 'connected' && change.resumed) console.error(`echo-bot: resumed (${change.missed ?? 0} missed)`);
});
client.on('error', (error) => console.error(`echo-bot: ${error.errorName}: ${error.message}`));

try {
  const me = await client.connect();
  await client.join(values.room);
  console.log(`echo-bot: connected to ${client.url.href} as ${me.name}, listening in ${values.room}`);
} catch (error) {
  const failure = error as ParleyClientError;
  console.error(`echo-bot: cannot connect: ${failure.errorName}: ${failure.message}`);
  process.exit(1);
}

const stop = async () => {
  await client.drain();
  await client.close();
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
