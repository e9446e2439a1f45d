import { describe, expect, it } from 'vitest';
import { plainHintFor, safetyNumberRows, sendFailureReason, setupFailureText, undecryptableText, verifyLines } from './e2e-text.ts';

const NUMBER = '12345 23456 34567 45678 56789 67890 78901 89012 90123 01234 11111 22222';

describe('end-to-end wording', () => {
  it('shows a safety number as two rows of six groups, with how to compare it', () => {
    expect(safetyNumberRows(NUMBER)).toEqual(['12345 23456 34567 45678 56789 67890', '78901 89012 90123 01234 11111 22222']);
    const lines = verifyLines({ me: 'alice', peer: 'bob', number: NUMBER, verification: 'unverified' });
    expect(lines).toEqual([
      'safety number with bob (the same on both sides):',
      '  12345 23456 34567 45678 56789 67890',
      '  78901 89012 90123 01234 11111 22222',
      'bob is not verified yet.',
      'Compare it with bob in person or on a call (bob types /verify alice); if every digit matches: /verify bob yes',
    ]);
    expect(verifyLines({ me: 'alice', peer: 'bob', number: NUMBER, verification: 'changed' }).slice(3)).toEqual([
      "bob's identity key CHANGED since you last talked: this is the new key's number.",
      'Compare it with bob in person or on a call (bob types /verify alice); if every digit matches: /trust bob',
    ]);
  });

  it('says why a DM was refused and the explicit way to send it anyway', () => {
    const unencrypted = { errorName: 'E2E_PEER_UNENCRYPTED', message: 'carol has no end-to-end devices' };
    expect(sendFailureReason(unencrypted, { to: 'carol', plainHint: plainHintFor(true) })).toMatch(/^carol has no end-to-end encryption keys .*To send it unencrypted anyway: \/plain <message>$/);
    expect(sendFailureReason(unencrypted, { to: 'carol', plainHint: plainHintFor(false) })).toMatch(/\/plain carol <message>$/);
    expect(sendFailureReason({ errorName: 'E2E_PEER_IDENTITY_CHANGED', message: '' }, { to: 'bob', plainHint: plainHintFor(true) })).toBe(
      "bob's identity key changed. Compare safety numbers (/verify bob), then accept the new key (/trust bob) to write to bob again.",
    );
    expect(sendFailureReason({ errorName: 'NO_SUCH_USER', message: 'No user named zed' }, { to: 'zed', plainHint: plainHintFor(true) })).toBe('NO_SUCH_USER: No user named zed');
  });

  it('tells a second install how to bring its identity key, or to reset it', () => {
    const text = setupFailureText({ errorName: 'E2E_IDENTITY_CHANGED', message: 'bob has another identity key' }, { account: 'bob', server: 'chat.example.org:12345' });
    expect(text).toMatch(/^End-to-end encryption is off in this session: rooms work/);
    expect(text).toContain('"parley keys export-identity chat.example.org:12345 bob > identity.pem"');
    expect(text).toContain('"parley keys import-identity chat.example.org:12345 bob identity.pem"');
    expect(text).toContain('--reset-identity');
    expect(setupFailureText({ errorName: 'TIMEOUT', message: 'no reply' }, { server: 'h:1' })).toMatch(/TIMEOUT: no reply$/);
  });

  it('names the sender of a message that could not be decrypted', () => {
    expect(undecryptableText('alice', 'E2E_DECRYPT_FAILED')).toBe('a message from alice could not be decrypted: E2E_DECRYPT_FAILED');
    expect(undecryptableText('alice', 'E2E_BAD_CREDENTIAL')).toMatch(/^a message or device change from alice was refused/);
  });
});
