import { describe, expect, it } from 'vitest';
import { encryptionShown } from './e2e-tracker.ts';

describe('encryptionShown', () => {
  it("shows an encrypted room as encrypted where this tab encrypts, as sealed where it does not, and a plain room as the server's to read", () => {
    expect(encryptionShown({ kind: 'room', active: true, dm: undefined, roomEncrypted: true })).toBe('encrypted');
    expect(encryptionShown({ kind: 'room', active: false, dm: undefined, roomEncrypted: true })).toBe('sealed');
    expect(encryptionShown({ kind: 'room', active: true, dm: undefined, roomEncrypted: false })).toBe('room');
    expect(encryptionShown({ kind: 'room', active: false, dm: undefined, roomEncrypted: false })).toBe('room');
  });

  it('leaves Everyone to the server, and DMs to what the SDK said (or "elsewhere" in a tab without encryption)', () => {
    expect(encryptionShown({ kind: 'all', active: true, dm: undefined, roomEncrypted: false })).toBe('room');
    expect(encryptionShown({ kind: 'dm', active: true, dm: 'encrypted', roomEncrypted: false })).toBe('encrypted');
    expect(encryptionShown({ kind: 'dm', active: true, dm: 'unencrypted', roomEncrypted: false })).toBe('unencrypted');
    expect(encryptionShown({ kind: 'dm', active: true, dm: undefined, roomEncrypted: false })).toBe('unknown');
    expect(encryptionShown({ kind: 'dm', active: false, dm: 'encrypted', roomEncrypted: false })).toBe('elsewhere');
  });
});
