// Each command is imported when it runs: `parley version` must not load the server, nor `parley
// serve` the terminal UI (start-up time is mostly module loading; see docs/benchmarks.md).

const USAGE = `parley — secure, self-hosted chat

Usage:
  parley serve [--config FILE] [--data-dir DIR] [--tcp LIST] [--http LIST] [--log-level LEVEL] [--set key=value]...
  parley chat [--plain] <tls://host:port|wss://host:port/ws|ws://host:port/ws>... [--name N] [--password P | --key K] [--register] [--accept-new] [--no-e2e | --reset-identity]
                                   full-screen chat on a terminal (docs/tui.md); with --plain or
                                   without a terminal, line-oriented (stdin -> room, events -> stdout)
  parley init [--force] [FILE]     write a commented parley.toml (default ./parley.toml)
  parley admin <command>           grant/revoke roles, ban/unban, audit, reload (parley admin --help)
  parley keys new|list|export      login keys for parley chat --key (docs/client.md, "Keys")
  parley keys export-identity|import-identity   an account's end-to-end identity key, for another install (docs/tui.md)
  parley version
  parley help

Configuration: docs/configuration.md. Protocol: docs/protocol.md.
`;

/** Entry point of the `parley` command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'serve':
      return (await import('./serve.ts')).serve(rest);
    case 'init':
      return (await import('./init.ts')).init(rest);
    case 'chat':
      return (await import('./chat.ts')).chat(rest);
    case 'admin':
      return (await import('./admin.ts')).admin(rest);
    case 'keys':
      return (await import('./keys.ts')).keys(rest);
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
