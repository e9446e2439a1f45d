import { describe, expect, it } from 'vitest';
import { exportPublicKey, generateIdentityKeyPair } from './identity.ts';
import { safetyNumber } from './safety-number.ts';

async function party(userId: string) {
  return { userId, identityKey: await exportPublicKey((await generateIdentityKeyPair()).publicKey) };
}

describe('safety numbers', () => {
  it('are 60 digits in 12 groups of 5, the same from both sides', async () => {
    const [alice, bob] = await Promise.all([party('alice'), party('bob')]);
    const fromAlice = await safetyNumber(alice, bob);
    expect(fromAlice).toMatch(/^\d{5}( \d{5}){11}$/);
    expect(await safetyNumber(bob, alice)).toBe(fromAlice);
  });

  it('depend only on the identity keys and user ids (stable across devices), and change with either', async () => {
    const [alice, bob, carol] = await Promise.all([party('alice'), party('bob'), party('carol')]);
    const number = await safetyNumber(alice, bob);
    expect(await safetyNumber({ ...alice }, { ...bob })).toBe(number);
    expect(await safetyNumber(alice, { userId: 'bob', identityKey: carol.identityKey })).not.toBe(number);
    expect(await safetyNumber(alice, { userId: 'bobby', identityKey: bob.identityKey })).not.toBe(number);
  });

  // Computed independently with Python's hashlib from the construction in safety-number.ts.
  it('match a fixed vector, so the construction cannot drift unnoticed', async () => {
    const a = { userId: 'alice', identityKey: new Uint8Array(32).fill(1) };
    const b = { userId: 'bob', identityKey: new Uint8Array(32).fill(2) };
    expect(await safetyNumber(a, b)).toBe('46666 70434 47123 47902 28717 88796 93357 79107 75712 46733 85256 94809');
  });
});
