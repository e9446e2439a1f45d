import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KnownHosts } from './known-hosts.ts';
import { pinningPolicy, type TrustReason } from './trust.ts';

const FP = 'AB:CD:EF';
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function knownHosts(): KnownHosts {
  const dir = mkdtempSync(join(tmpdir(), 'parley-trust-'));
  dirs.push(dir);
  return new KnownHosts(join(dir, 'known_hosts'));
}

describe('pinningPolicy onTrusted', () => {
  it('reports why a server was accepted: ca, new, then pinned', async () => {
    const seen: TrustReason[] = [];
    const policy = pinningPolicy({ knownHosts: knownHosts(), acceptNew: true, onTrusted: (_peer, how) => seen.push(how) });
    await policy({ hostPort: 'ca.example:1', fingerprint: FP, caVerified: true });
    await policy({ hostPort: 'h:1', fingerprint: FP, caVerified: false });
    await policy({ hostPort: 'h:1', fingerprint: FP, caVerified: false });
    expect(seen).toEqual(['ca', 'new', 'pinned']);
  });

  it('is not called for a refused server, and a throwing callback does not refuse', async () => {
    const seen: TrustReason[] = [];
    const hosts = knownHosts();
    await expect(pinningPolicy({ knownHosts: hosts, onTrusted: (_p, how) => seen.push(how) })({ hostPort: 'h:1', fingerprint: FP, caVerified: false })).rejects.toMatchObject({
      errorName: 'HOST_UNKNOWN',
    });
    expect(seen).toEqual([]);
    const throwing = pinningPolicy({
      knownHosts: hosts,
      acceptNew: true,
      onTrusted: () => {
        throw new Error('display failed');
      },
    });
    await expect(throwing({ hostPort: 'h:1', fingerprint: FP, caVerified: false })).resolves.toBeUndefined();
  });
});
