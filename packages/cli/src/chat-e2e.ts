import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { memoryE2eStorage, parseServerUrl, type E2eOptions } from '@parley/client';
import { fileE2eStorage, nodeIdentityKey } from '@parley/client/node';
import { nameKey } from '@parley/protocol';
import type { ChatOptions } from './chat-options.ts';

/**
 * Where `parley chat` keeps an account's end-to-end keys, and how it sets them up. For each
 * server (host:port) and account: `identity.key` (the user's identity key, PKCS#8 PEM, 0600),
 * the same on every install of the account, and `device/` (this install's device: its key,
 * KeyPackages, group states, pinned contacts and the archive of decrypted messages), which is
 * never copied. A second `parley chat` of the same account on the same install at the same
 * time gets a device of its own (`device-2/`, …): two clients must never share one device's
 * group state. Guests get a fresh identity key and memory storage every session.
 */
export function e2eRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.PARLEY_E2E_DIR ?? join(homedir(), '.parley', 'e2e');
}

/** "chat.example.org:12345", "[::1]:12345": the server as the directory names it. */
export function serverDirName(url: string): string {
  const { host, port } = parseServerUrl(url);
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The account's directory: one per server address and account (names compare as the server compares them). */
export function accountDir(input: { url: string; name: string }, env: NodeJS.ProcessEnv = process.env): string {
  return join(e2eRoot(env), serverDirName(input.url), encodeURIComponent(nameKey(input.name)));
}

export const identityFile = (dir: string) => join(dir, 'identity.key');

const MAX_DEVICES = 8;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `file` for this process; a lock left by a process that is gone is taken over. */
function tryLock(file: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) return false;
      unlinkSync(file);
    }
  }
  return false;
}

/** The first device directory no running `parley chat` holds, locked until this process exits. */
function lockDevice(dir: string): string {
  for (let n = 1; n <= MAX_DEVICES; n++) {
    const name = n === 1 ? 'device' : `device-${n}`;
    const lock = join(dir, `${name}.lock`);
    if (!tryLock(lock)) continue;
    process.once('exit', () => {
      try {
        unlinkSync(lock);
      } catch {
        // Gone already.
      }
    });
    return join(dir, name);
  }
  throw new Error(`${MAX_DEVICES} parley chat sessions of this account are running here already`);
}

export interface E2eSetup {
  /** For ParleyClient; absent when end-to-end encryption is off or could not be set up here. */
  options?: E2eOptions;
  /** Why it could not be set up (a key file others can read, …): DMs are refused, rooms work. */
  failure?: string;
  /** An identity key made now: where it is (said once, for the user's other installs). */
  created?: string;
}

/** The e2e options for `parley chat`'s ParleyClient: a key file for an account (made at its first login here), memory for a guest. */
export async function prepareE2e(options: ChatOptions, env: NodeJS.ProcessEnv = process.env): Promise<E2eSetup> {
  if (!options.e2e) return {};
  const { credentials } = options;
  try {
    if (credentials.kind === 'guest') {
      const identity = (await globalThis.crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify'])) as CryptoKeyPair;
      return { options: { identity, storage: memoryE2eStorage() } };
    }
    const dir = accountDir({ url: options.urls[0] ?? '', name: credentials.name }, env);
    const file = identityFile(dir);
    const fresh = !existsSync(file);
    const identity = await nodeIdentityKey(file, { create: true });
    const storage = fileE2eStorage(lockDevice(dir));
    return { options: { identity, storage, ...(options.resetIdentity ? { resetIdentity: true } : {}) }, ...(fresh ? { created: file } : {}) };
  } catch (error) {
    return { failure: (error as Error).message };
  }
}
