import { describe, expect, it } from 'vitest';
import { committedText, formatMessage, roomLostText, stoppedText, waitingText } from './chat-format.ts';

const message = { conv: '#dev', seq: 1, from: 'alice', to: '#dev', text: 'waves', ts: 0 };

describe('chat --plain wording', () => {
  it('shows an action as a sentence about its sender', () => {
    expect(formatMessage({ ...message, kind: 'action' }, 'bob')).toBe('[#dev] * alice waves');
    expect(formatMessage({ ...message, to: 'bob', kind: 'action', encrypted: true }, 'bob')).toBe('[dm] * alice waves');
    expect(formatMessage(message, 'bob')).toBe('[#dev] alice: waves');
  });

  it('marks a DM that was not end-to-end encrypted, and never shows ciphertext', () => {
    const dm = { ...message, conv: 'dm:a1:a2', to: 'bob', text: 'psst' };
    expect(formatMessage({ ...dm, encrypted: true }, 'bob')).toBe('[dm] alice: psst');
    expect(formatMessage(dm, 'bob')).toBe('[dm] [unencrypted] alice: psst');
    expect(formatMessage({ ...dm, from: 'bob', to: 'carol' }, 'bob')).toBe('[dm → carol] [unencrypted] bob: psst');
    expect(formatMessage({ ...dm, kind: 'mls', text: 'AAEC' }, 'bob')).toBe('[dm] alice: (an end-to-end encrypted message: this session runs with --no-e2e and cannot read it)');
    expect(formatMessage({ ...dm, text: '', encrypted: true, undecryptable: true }, 'bob')).toMatch(/^\[dm\] alice: \(end-to-end encrypted before this device joined/);
    expect(formatMessage({ ...message, to: 'ALL' }, 'bob')).toBe('[all] alice: waves');
  });

  it('says why a room was lost and that an operator stopped the client, in sentences', () => {
    expect(roomLostText('#ops', { errorName: 'INVITE_ONLY', message: '#ops is invite-only; ask a moderator for an INVITE' })).toBe(
      'You are no longer in #ops: it did not let you back in after the reconnect. #ops is invite-only now; a moderator can /invite you.',
    );
    expect(roomLostText('#ops', { errorName: 'BANNED_FROM_ROOM', message: 'You are banned from #ops: spam' })).toMatch(/after the reconnect\. You are banned from #ops: spam\.$/);
    expect(stoppedText({ errorName: 'KICKED', message: 'You were kicked by alice: bye' })).toBe('You were disconnected by an operator: You were kicked by alice: bye. Parley will not reconnect.');
    expect(stoppedText({ errorName: 'HOST_KEY_CHANGED', message: 'The certificate changed.' })).toBe('Disconnected: The certificate changed. Parley will not reconnect.');
  });
});

describe('sends to a room homed on another server', () => {
  it('says what the message waits for, and when it is delivered', () => {
    expect(waitingText('#dev@b.test', 'one\ntwo')).toBe('[#dev@b.test] waiting for b.test: one\\ntwo');
    expect(committedText('#dev@b.test', 'one')).toBe('[#dev@b.test] delivered to b.test: one');
  });
});
