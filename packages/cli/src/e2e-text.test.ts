import { describe, expect, it } from 'vitest';
import { groupFailureText, plainHintFor, safetyNumberRows, sendFailureReason, setupFailureText, undecryptableSummary, undecryptableText, verifyLines } from './e2e-text.ts';

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
    // Someone of another server is refused only for the same reason as anyone.
    expect(sendFailureReason(unencrypted, { to: 'bob@b.test', plainHint: plainHintFor(false) })).toMatch(/^bob@b\.test has no end-to-end encryption keys .*\/plain bob@b\.test <message>$/);
    expect(sendFailureReason({ errorName: 'E2E_PEER_IDENTITY_CHANGED', message: '' }, { to: 'bob', plainHint: plainHintFor(true) })).toBe(
      "bob's identity key changed. Compare safety numbers (/verify bob), then accept the new key (/trust bob) to write to bob again.",
    );
    expect(sendFailureReason({ errorName: 'NO_SUCH_USER', message: 'No user named zed' }, { to: 'zed', plainHint: plainHintFor(true) })).toBe('NO_SUCH_USER: No user named zed');
  });

  it('says why a send to an encrypted room was refused, never offering /plain (the server takes no plaintext there)', () => {
    const reason = (errorName: string, message = 'server text') => sendFailureReason({ errorName, message }, { to: '#secret', plainHint: plainHintFor(true) });
    expect(reason('E2E_ROOM_ENCRYPTED')).toBe(
      '#secret is end-to-end encrypted and this session has no end-to-end encryption (--no-e2e, or it could not be set up here), so the server takes nothing from it there. To write in #secret, start parley chat without --no-e2e.',
    );
    expect(reason('E2E_MEMBERS_CHANGED')).toMatch(/^someone who left #secret still has devices in its encrypted group; .* Send it again in a moment\.$/);
    expect(reason('E2E_FAILED', 'no device')).toBe('end-to-end encryption is not working in this session (no device), and #secret takes only end-to-end encrypted messages.');
    expect(reason('E2E_DEVICE_REMOVED')).toMatch(/^this device was removed from your account/);
    for (const name of ['E2E_ROOM_ENCRYPTED', 'E2E_MEMBERS_CHANGED', 'E2E_FAILED', 'E2E_DEVICE_REMOVED', 'E2E_IDENTITY_CHANGED']) expect(reason(name)).not.toContain('/plain');
    // Other refusals in a room read as before.
    expect(reason('MUTED', 'You are muted in #secret')).toBe('MUTED: You are muted in #secret');
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
    // A room's: the room, not a sender the failed message cannot name.
    expect(undecryptableText('#secret', 'E2E_REPLAY')).toBe('a message in #secret could not be decrypted: E2E_REPLAY');
    expect(undecryptableText('#secret', 'E2E_BAD_CREDENTIAL')).toMatch(/^a message or device change in #secret was refused/);
    expect(undecryptableSummary('#secret', { count: 3, code: 'E2E_REPLAY' })).toBe('3 more messages in #secret could not be decrypted (E2E_REPLAY)');
    expect(groupFailureText('#secret', { code: 'E2E_NOT_MEMBER', message: 'x' })).toBe('end-to-end: #secret: E2E_NOT_MEMBER: x');
    expect(groupFailureText('bob', { code: 'E2E_NOT_MEMBER', message: 'x' })).toBe('end-to-end: the conversation with bob: E2E_NOT_MEMBER: x');
  });
});
