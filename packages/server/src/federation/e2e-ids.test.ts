import { describe, expect, it } from 'vitest';
import { idAt, nameAt } from './e2e-ids.ts';

const A = `ps1${'A'.repeat(43)}`;
const B = `ps1${'B'.repeat(43)}`;
const C = `ps1${'C'.repeat(43)}`;

describe('ids and names between servers', () => {
  it("puts an id in the receiving server's terms: the sender's own users qualified, the receiver's own stripped, a third's kept", () => {
    expect(idAt('a3', A, B)).toBe(`a3@${A}`);
    expect(idAt(`a5@${B}`, A, B)).toBe('a5');
    expect(idAt(`a7@${C}`, A, B)).toBe(`a7@${C}`);
    expect(idAt('a3', A, A)).toBe('a3');
    // Round trip.
    expect(idAt(idAt('g1x', A, B), B, A)).toBe('g1x');
  });

  it('does the same for names, by server name, case-insensitively on the server part', () => {
    expect(nameAt('alice', 'a.test', 'b.test')).toBe('alice@a.test');
    expect(nameAt('bob@B.test', 'a.test', 'b.test')).toBe('bob');
    expect(nameAt('carol@c.test', 'a.test', 'b.test')).toBe('carol@c.test');
  });
});
