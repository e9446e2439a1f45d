import { serve } from './serve.ts';
import { init } from './init.ts';
import { chat } from './chat.ts';
import { admin } from './admin.ts';

const USAGE = `parley — secure, self-hosted chat

Usage:
  parley serve [--config FILE] [--data-dir DIR] [--tcp LIST] [--http LIST] [--log-level LEVEL] [--set key=value]...
  parley chat [--plain] <tls://host:port|wss://host:port/ws|ws://host:port/ws> [--name N] [--password P] [--register] [--accept-new]
                                   full-screen chat on a terminal (docs/tui.md); with --plain or
                                   without a terminal, line-oriented (stdin -> room, events -> stdout)
  parley init [--force] [FILE]     write a commented parley.toml (default ./parley.toml)
  parley admin <command>           grant/revoke roles, ban/unban, audit, reload (parley admin --help)
  parley version
  parley help

Configuration: docs/configuration.md. Protocol: docs/protocol.md.
`;

/** Entry point of the `parley` command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'init':
      return init(rest);
    case 'chat':
      return chat(rest);
    case 'admin':
      return admin(rest);
    case 'version':
    case '--version':
      process.stdout.write(`${(await import('./version.ts')).version()}\n`);
      return 0;
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`parley: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
