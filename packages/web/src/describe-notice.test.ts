import { describe, expect, it } from 'vitest';
import { describeNotice } from './describe-notice.ts';

describe('describeNotice', () => {
  it('reads an invitation from its fields, or from the text older servers send', () => {
    expect(describeNotice({ text: 'whatever', kind: 'invite', room: '#dev', by: 'alice' })).toEqual({ text: 'alice invited you to #dev', join: '#dev' });
    expect(describeNotice({ text: 'alice invited you to #dev: JOIN #dev' })).toEqual({ text: 'alice invited you to #dev', join: '#dev' });
  });

  it('names modes and roles as people say them', () => {
    expect(describeNotice({ text: 'olivia set the modes of #den: invite_only topic_lock' }).text).toBe('olivia set the modes of #den: invite-only, topic locked');
    expect(describeNotice({ text: 'olivia set the modes of #den: none' }).text).toBe('olivia set the modes of #den: none');
    expect(describeNotice({ text: 'olivia made you moderator of #den' }).text).toBe('olivia made you moderator of #den');
    expect(describeNotice({ text: 'olivia muted you in #den: calm down' }).text).toBe('olivia muted you in #den: calm down');
  });

  it("reads a mode change from the modes it carries, encryption included, or from older servers' words", () => {
    const modes = { inviteOnly: true, password: false, moderated: false, topicLock: false, encrypted: true };
    expect(describeNotice({ text: 'whatever', kind: 'mode', room: '#den', by: 'olivia', modes }).text).toBe('olivia set the modes of #den: invite-only, end-to-end encrypted');
    expect(describeNotice({ text: 'olivia set the modes of #den: end-to-end encrypted' }).text).toBe('olivia set the modes of #den: end-to-end encrypted');
    expect(describeNotice({ text: 'olivia set the modes of #den: invite_only encrypted' }).text).toBe('olivia set the modes of #den: invite-only, end-to-end encrypted');
  });

  it('leaves other notices (the MOTD, a broadcast) as the server wrote them', () => {
    expect(describeNotice({ text: '[acme] maintenance at 22:00' })).toEqual({ text: '[acme] maintenance at 22:00' });
  });
});
