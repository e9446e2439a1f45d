import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { E2eStorage } from '../e2e/storage.ts';

/**
 * End-to-end storage in a directory, one file per key: the device key, KeyPackage secrets, group
 * states and the archive of decrypted messages, all secret. Like login key files (and SSH), a
 * directory or file that group or others can read is refused: whoever reads it reads the
 * conversations. The directory is made 0700, files 0600; each write goes to a temporary file
 * that is synced and renamed over the old one, so a crash leaves the old value or the new one.
 */
const MAX_NAME = 200;
const checksModes = process.platform !== 'win32';

function refuseShared(path: string, mode: number): void {
  if (checksModes && (mode & 0o077) !== 0) {
    throw new Error(`${path} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod ${mode & 0o040000 ? '700' : '600'} it`);
  }
}

/**
 * A file name for a key: letters, digits, "_" and "-" as they are, every other byte as %XX (so
 * two keys never share a name, and no name starts with "." like the temporary files); a name too
 * long for a file system is a hash ("~" never comes out of the escaping).
 */
export function storageFileName(key: string): string {
  let name = '';
  for (const byte of new TextEncoder().encode(key)) {
    const char = String.fromCharCode(byte);
    name += /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`;
  }
  return name.length <= MAX_NAME ? name : `~${createHash('sha256').update(key).digest('hex')}`;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOENT';

export function fileE2eStorage(dir: string): E2eStorage {
  let ready: Promise<void> | undefined;
  const prepare = () =>
    (ready ??= (async () => {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const info = await stat(dir);
      if (!info.isDirectory()) throw new Error(`${dir} is not a directory`);
      refuseShared(dir, info.mode);
    })());

  return {
    async get(key) {
      await prepare();
      const path = join(dir, storageFileName(key));
      let file;
      try {
        file = await open(path, 'r');
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
      try {
        refuseShared(path, (await file.stat()).mode);
        return new Uint8Array(await file.readFile());
      } finally {
        await file.close();
      }
    },

    async set(key, value) {
      await prepare();
      const name = storageFileName(key);
      const temporary = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
      const file = await open(temporary, 'wx', 0o600);
      try {
        await file.writeFile(value);
        await file.datasync();
      } catch (error) {
        await file.close();
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
      await file.close();
      await rename(temporary, join(dir, name)).catch(async (error: unknown) => {
        await unlink(temporary).catch(() => undefined);
        throw error;
      });
    },

    async delete(key) {
      await prepare();
      await unlink(join(dir, storageFileName(key))).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
    },
  };
}
