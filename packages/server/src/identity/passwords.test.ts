import { describe, expect, it } from 'vitest';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.ts';

describe('passwords', () => {
  for (const algorithm of ['argon2id', 'scrypt'] as const) {
    it(`${algorithm}: verifies the right password and rejects a wrong one`, async () => {
      const stored = await hashPassword('correct horse', algorithm);
      expect(stored).not.toContain('correct horse');
      expect(stored.startsWith(algorithm === 'argon2id' ? '$argon2id$' : '$scrypt$')).toBe(true);
      expect(await verifyPassword(stored, 'correct horse')).toBe(true);
      expect(await verifyPassword(stored, 'wrong horse')).toBe(false);
    });
  }

  it('salts: the same password hashes differently each time', async () => {
    expect(await hashPassword('same', 'scrypt')).not.toBe(await hashPassword('same', 'scrypt'));
  });

  it('rejects a corrupt stored hash instead of throwing', async () => {
    expect(await verifyPassword('$scrypt$garbage', 'x')).toBe(false);
  });

  it('the dummy check refuses every password, the empty one and its own secret included', async () => {
    for (const algorithm of ['argon2id', 'scrypt'] as const) {
      expect(await verifyAgainstDummy('', algorithm)).toBe(false);
      expect(await verifyAgainstDummy('correct horse', algorithm)).toBe(false);
    }
  });
});
