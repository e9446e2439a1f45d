import { describe, expect, it } from 'vitest';
import { describeModes } from './room-modes.ts';

describe('describeModes', () => {
  it('names the modes that are on', () => {
    expect(describeModes({ inviteOnly: false, password: false, moderated: false, topicLock: false, encrypted: false })).toBe('none');
    expect(describeModes({ inviteOnly: true, password: true, moderated: false, topicLock: true, encrypted: true })).toBe('invite-only, password, topic locked, end-to-end encrypted');
  });
});
