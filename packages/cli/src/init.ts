import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_TOML } from '@parley/server';

/** `parley init [--force] [FILE]`: writes the commented default config, never over a file unless --force. */
export function init(argv: string[]): number {
  const { values, positionals } = parseArgs({ args: argv, options: { force: { type: 'boolean', default: false } }, allowPositionals: true });
  const file = positionals[0] ?? 'parley.toml';
  if (existsSync(file) && !values.force) {
    process.stderr.write(`parley init: ${file} exists; use --force to overwrite\n`);
    return 1;
  }
  writeFileSync(file, DEFAULT_CONFIG_TOML);
  process.stdout.write(`wrote ${file}\n`);
  return 0;
}
