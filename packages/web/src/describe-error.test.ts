import { ParleyClientError } from '@parley/client';
import { ERRORS, type ErrorName } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { describeError, errorSentence } from './describe-error.ts';
import { hasMessage } from './i18n/index.ts';

const refused = (errorName: ErrorName, message: string) => new ParleyClientError(message, { code: ERRORS[errorName].code, errorName, action: ERRORS[errorName].action });

describe('describeError', () => {
  it('has a sentence for every name in the error registry and the SDK’s own', () => {
    for (const name of [...Object.keys(ERRORS), 'TIMEOUT', 'DISCONNECTED', 'CLOSED', 'OUTBOX_FULL', 'HOST_KEY_CHANGED', 'HOST_UNKNOWN', 'CONNECT_FAILED', 'E2E_PEER_UNENCRYPTED', 'E2E_PEER_IDENTITY_CHANGED', 'E2E_DEVICE_REMOVED', 'E2E_FAILED']) {
      expect(hasMessage(`error.${name}`), name).toBe(true);
    }
  });

  it('writes the sentence, then what the server adds; never the name', () => {
    expect(describeError(refused('FORBIDDEN', 'MUTE in #den needs its moderator role or a server operator'))).toBe(
      'You are not allowed to do that. MUTE in #den needs its moderator role or a server operator.',
    );
    expect(describeError(refused('BAD_CREDENTIALS', ERRORS.BAD_CREDENTIALS.description))).toBe('Wrong name or password.');
    expect(describeError(refused('BANNED', 'You are banned from this server: spam'))).toBe('You are banned from this server: spam.');
    expect(describeError(refused('INVITE_ONLY', '#dev is invite-only; ask a moderator for an INVITE'))).not.toContain('INVITE_ONLY');
  });

  it('falls back to the server’s message for a name it does not know', () => {
    expect(errorSentence('SOMETHING_NEW', 'A newer server said this')).toBe('A newer server said this');
    expect(describeError(new Error('plain'))).toBe('plain');
  });
});
