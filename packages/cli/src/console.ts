import { createInterface } from 'node:readline';
import { openConsoleSession, type ParleyServer } from '@parley/server';

const HELP = `Server console: operator commands with the owner role, e.g.
  connections                 connections: id, user, address, transport, since
  info                        server info (same as SERVERINFO)
  peers                       federation: the servers this one knows, linked or not
  connect <host> <port>       keep a federation link     disconnect <server>   close it, stop dialing
  kick <name> [reason]        ban <name|ip|cidr|key:fp> [duration] [reason]    unban <target>
  bans                        broadcast <text>      grant <name> <owner|operator|user>
  disable <cmd>  enable <cmd> audit [count]         reload
Any other line is run as a text-mode command (KICK, BAN, MUTE #room name, USERINFO name, ...).
`;

/**
 * `parley serve`'s console, on when stdin is a terminal. Lines run through the server's own
 * command table as the "console" owner session (see openConsoleSession); `connections` and
 * `reload` are the console's own. (`peers` once listed connections here; it is the federation
 * command PEERS now, like CONNECT and DISCONNECT, so the console and clients mean the same by it.)
 */
export function startConsole(server: ParleyServer, reload: () => Promise<void>): () => void {
  const write = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  const session = openConsoleSession(server.context, write);
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'parley> ' });
  const aliases: Record<string, string> = { info: 'SERVERINFO', bans: 'LISTBANS' };
  let busy = Promise.resolve();
  rl.on('line', (raw) => {
    const line = raw.trim();
    busy = busy.then(async () => {
      const word = line.split(/\s+/)[0]?.toLowerCase() ?? '';
      if (line === '') return;
      if (word === 'help' || word === '?') write(HELP);
      else if (word === 'connections') write(connections(server));
      else if (word === 'reload') await reload();
      else await session.run(aliases[word] ?? line);
    }).then(
      () => rl.prompt(),
      (err: unknown) => {
        write(`console: ${(err as Error).message}`);
        rl.prompt();
      },
    );
  });
  // readline takes Ctrl+C from the terminal; it must still stop the server.
  rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
  write('Server console ready; type help.');
  rl.prompt();
  return () => {
    rl.close();
    session.close();
  };
}

function connections(server: ParleyServer): string {
  const rows = [...server.context.sessions].map((s) => {
    const since = new Date(s.createdAt).toISOString();
    return `${String(s.id).padStart(5)} ${(s.user?.name ?? '-').padEnd(20)} ${s.transport.remoteAddress.padEnd(24)} ${s.transport.kind.padEnd(4)} ${since}`;
  });
  return [`   id ${'user'.padEnd(20)} ${'address'.padEnd(24)} kind since`, ...rows, `${rows.length} connection(s)`].join('\n');
}
