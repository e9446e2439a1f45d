import { createPrivateKey, createPublicKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { accountDir, identityFile } from './chat-e2e.ts';

/**
 * `parley keys export-identity|import-identity <server> <account>`: the end-to-end identity key
 * of an account, carried from one install to another (every install of an account needs the same
 * one; the server refuses another with E2E_IDENTITY_CHANGED). Only identity.key moves: each
 * install keeps a device of its own.
 */
export const IDENTITY_USAGE = `       parley keys export-identity <server> <account>          print the account's end-to-end identity key (secret: PEM)
       parley keys import-identity <server> <account> <file> [--force]   take it on this install (- reads stdin)`;

function publicPart(pem: string, what: string): string {
  let key;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(`${what} is not a private key in PEM`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${what} is not an Ed25519 key`);
  return String(createPublicKey(key).export({ format: 'jwk' }).x);
}

function exportIdentity(file: string, out: (line: string) => void): void {
  if (!existsSync(file)) throw new Error(`no identity key at ${file}: log in once with parley chat on this install (or check the server address and account name)`);
  out(readFileSync(file, 'utf8').trimEnd());
}

function importIdentity(file: string, input: { from: string; force: boolean }): string {
  const pem = readFileSync(input.from === '-' ? 0 : input.from, 'utf8');
  const incoming = publicPart(pem, input.from === '-' ? 'standard input' : input.from);
  if (existsSync(file)) {
    const current = publicPart(readFileSync(file, 'utf8'), file);
    if (current === incoming) return `${file} holds this key already`;
    if (!input.force) throw new Error(`${file} holds another identity key; --force replaces it (this install's device then gets a new certificate at the next login)`);
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${pem.trimEnd()}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return `identity key ${incoming} is now in ${file}; start parley chat again`;
}

/** Runs the sub-command; undefined when `sub` is not one of these. */
export function identityKeys(sub: string | undefined, args: string[], env: NodeJS.ProcessEnv): number | undefined {
  if (sub !== 'export-identity' && sub !== 'import-identity') return undefined;
  const [url, name, from] = args.filter((a) => a !== '--force');
  if (!url || !name || (sub === 'import-identity' && !from)) {
    process.stderr.write(`usage:\n${IDENTITY_USAGE}\n`);
    return 2;
  }
  const file = identityFile(accountDir({ url, name }, env));
  if (sub === 'export-identity') exportIdentity(file, (line) => process.stdout.write(`${line}\n`));
  else process.stdout.write(`${importIdentity(file, { from: from!, force: args.includes('--force') })}\n`);
  return 0;
}
