import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileE2eStorage, storageFileName } from './e2e-file-storage.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-storage-'));
  dirs.push(dir);
  return dir;
}
const posix = process.platform !== 'win32';

describe('fileE2eStorage', () => {
  it('stores, replaces and deletes values, one 0600 file per key in a 0700 directory', async () => {
    const dir = join(scratch(), 'device');
    const storage = fileE2eStorage(dir);
    expect(await storage.get('conv/dm:a1:a2')).toBeUndefined();
    await storage.set('conv/dm:a1:a2', Uint8Array.of(1, 2, 3));
    await storage.set('conv/dm:a1:a2', Uint8Array.of(4, 5));
    await storage.set('archive/dm:a1:a2/7', new TextEncoder().encode('{"text":"hi"}'));
    expect(await storage.get('conv/dm:a1:a2')).toEqual(Uint8Array.of(4, 5));
    expect(new TextDecoder().decode(await storage.get('archive/dm:a1:a2/7'))).toBe('{"text":"hi"}');
    await storage.delete('conv/dm:a1:a2');
    await storage.delete('never-there');
    expect(await storage.get('conv/dm:a1:a2')).toBeUndefined();
    // No temporary file is left behind; the names are the escaped keys.
    expect(readdirSync(dir)).toEqual([storageFileName('archive/dm:a1:a2/7')]);
    if (posix) {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, storageFileName('archive/dm:a1:a2/7'))).mode & 0o777).toBe(0o600);
    }
  });

  it('gives every key its own file name, safe for any file system', () => {
    const names = ['a/b', 'a%2Fb', 'a_b', 'A/B', '..', '.hidden', 'dm:g1:g2', 'é', 'x'.repeat(300), 'x'.repeat(301)].map(storageFileName);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^[A-Za-z0-9_%~-]+$/);
      expect(name.length).toBeLessThanOrEqual(200);
      expect(name.startsWith('.')).toBe(false);
    }
  });

  it.skipIf(!posix)('refuses a directory or a file that others can read', async () => {
    const open = join(scratch(), 'open');
    mkdirSync(open, { mode: 0o755 });
    chmodSync(open, 0o755);
    await expect(fileE2eStorage(open).get('device')).rejects.toThrow(/readable by others/);

    const dir = join(scratch(), 'closed');
    const storage = fileE2eStorage(dir);
    await storage.set('device', Uint8Array.of(9));
    chmodSync(join(dir, storageFileName('device')), 0o640);
    await expect(storage.get('device')).rejects.toThrow(/readable by others/);
  });
});
