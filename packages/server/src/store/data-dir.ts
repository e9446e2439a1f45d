import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** The data directory cannot be used; the message says why and what to do, with the path. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

const REASONS: Readonly<Record<string, string>> = {
  EROFS: 'is on a read-only file system',
  EACCES: 'is not writable by this user (permission denied)',
  EPERM: 'is not writable by this user (operation not permitted)',
  ENOTDIR: 'is not a directory',
  EEXIST: 'is not a directory',
  ENOSPC: 'is on a full disk',
  EDQUOT: 'is on a disk whose quota is used up',
};

const codeOf = (err: unknown) => (typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined);
const HINT = 'set data_dir (--data-dir, PARLEY_DATA_DIR) to a writable directory';

/** The nearest ancestor of `path` that exists (the one mkdir failed under). */
async function nearestExisting(path: string): Promise<string> {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      await stat(dir);
      return dir;
    } catch {
      if (dirname(dir) === dir) return dir;
    }
  }
}

/**
 * Creates the data directory if needed and checks that Parley can write in it, before the
 * store opens. Without this a read-only mount surfaced as "ENOENT: no such file or directory,
 * mkdir" (Node's recursive mkdir reports the missing child, not the EROFS of its parent) or as
 * SQLite's "unable to open database file". `access(W_OK)` is used because it reports a
 * read-only mount even to root, whom permission bits do not stop.
 */
export async function prepareDataDir(dataDir: string): Promise<string> {
  const dir = resolve(dataDir);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    const parent = await nearestExisting(dirname(dir));
    const why = await access(parent, constants.W_OK).then(
      () => REASONS[codeOf(err) ?? ''],
      (accessErr: unknown) => REASONS[codeOf(accessErr) ?? ''],
    );
    const reason = why ? `${parent} ${why}` : `${codeOf(err) ?? 'error'}: ${(err as Error).message}`;
    throw new DataDirError(`the data directory ${dir} cannot be created: ${reason}; ${HINT}`, { cause: err });
  }
  if (!(await stat(dir)).isDirectory()) throw new DataDirError(`the data directory ${dir} is not a directory; ${HINT}`);
  try {
    await access(dir, constants.W_OK);
  } catch (err) {
    const why = REASONS[codeOf(err) ?? ''] ?? `cannot be written (${codeOf(err) ?? (err as Error).message})`;
    throw new DataDirError(`the data directory ${dir} ${why}: Parley writes its database and certificate there; ${HINT}`, { cause: err });
  }
  return dir;
}
