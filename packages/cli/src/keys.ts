import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { createLoginKeyFile, readLoginKeyFile } from '@parley/client/node';
import { IDENTITY_USAGE, identityKeys } from './identity-keys.ts';

export const KEYS_USAGE = `usage: parley keys new <name>          make a login key (~/.parley/keys/<name>.key, mode 0600)
       parley keys list                every key here, with its public key
       parley keys export <name> [--private]   print the public key (or the private key's PEM)
${IDENTITY_USAGE}
Then: parley chat tls://host --name alice --key <name> [--register]   (docs/client.md, "Keys")`;

const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function keysDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PARLEY_KEYS_DIR ?? join(homedir(), '.parley', 'keys');
}

/** A key name in the keys directory, or a path to a key file (anything with a slash). */
export function keyFile(nameOrPath: string, env: NodeJS.ProcessEnv = process.env): string {
  if (nameOrPath.includes('/') || isAbsolute(nameOrPath)) return nameOrPath;
  if (!KEY_NAME.test(nameOrPath)) throw new Error(`"${nameOrPath}" is not a key name (letters, digits, _ . -)`);
  return join(keysDir(env), `${nameOrPath}.key`);
}

/** `parley keys …`; returns the exit code. */
export function keys(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const [sub, name, ...rest] = argv;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const identity = identityKeys(sub, [name, ...rest].filter((a): a is string => a !== undefined), env);
    if (identity !== undefined) return identity;
    switch (sub) {
      case 'new': {
        if (!name) break;
        const file = keyFile(name, env);
        if (existsSync(file)) throw new Error(`${file} exists already`);
        out(`${createLoginKeyFile(file)}  ${file}`);
        return 0;
      }
      case 'list': {
        const dir = keysDir(env);
        const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.key')).sort() : [];
        for (const f of files) out(`${f.slice(0, -4)}  ${readLoginKeyFile(join(dir, f)).publicKey}`);
        if (files.length === 0) process.stderr.write(`no keys in ${dir}; make one with: parley keys new <name>\n`);
        return 0;
      }
      case 'export': {
        if (!name) break;
        const file = keyFile(name, env);
        const key = readLoginKeyFile(file);
        out(rest.includes('--private') ? readFileSync(file, 'utf8').trimEnd() : key.publicKey);
        return 0;
      }
      default:
        break;
    }
  } catch (error) {
    process.stderr.write(`parley keys: ${(error as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`${KEYS_USAGE}\n`);
  return 2;
}
