import { describe, expect, it } from 'vitest';
import { memoryE2eStorage } from './storage.ts';
import { TrustStore } from './trust-store.ts';

const key = (n: number) => new Uint8Array(32).fill(n);
const text = (n: number) => Buffer.from(key(n)).toString('base64url');

describe('TrustStore (trust on first use)', () => {
  it('pins the first key, refuses another (reported once per key), accepts it once pinned, and keeps it in storage', async () => {
    const storage = memoryE2eStorage();
    const changes: string[] = [];
    const trust = new TrustStore(storage, (userId, name) => changes.push(`${userId}:${name ?? '?'}`));
    expect(await trust.trustIdentity('a2', key(1))).toBe(true);
    expect(await trust.trustIdentity('a2', key(1))).toBe(true);
    expect(await trust.check('a2', text(2), 'bob')).toBe('changed');
    expect(await trust.trustIdentity('a2', key(2))).toBe(false);
    expect(changes).toEqual(['a2:bob']);
    expect(await trust.verification('a2', text(2))).toBe('changed');
    expect(await trust.verification('a2', text(1))).toBe('unverified');

    await trust.pin('a2', text(2));
    expect(await trust.trustIdentity('a2', key(2))).toBe(true);
    expect(await trust.trustIdentity('a2', key(1))).toBe(false);
    await trust.pin('a2', text(2), { verified: true });
    expect(await trust.verification('a2', text(2))).toBe('verified');

    // Another store over the same storage (the next run of the client) remembers.
    const later = new TrustStore(storage, () => changes.push('again'));
    expect(await later.pinned('a2')).toBe(text(2));
    expect(await later.verification('a2', null)).toBe('verified');
    expect(await later.check('a9', text(3))).toBe('pinned');
  });

  it('checks of one user run one at a time: two first sights of different keys pin one', async () => {
    const trust = new TrustStore(memoryE2eStorage(), () => undefined);
    const verdicts = await Promise.all([trust.check('a5', text(1)), trust.check('a5', text(2))]);
    expect(verdicts).toEqual(['pinned', 'changed']);
  });
});
