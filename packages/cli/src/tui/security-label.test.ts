import { describe, expect, it } from 'vitest';
import { initialChatState, ensureConversation, type Conversation, type DmSecurity } from './conversations.ts';
import { ASCII_GLYPHS, glyphsFor, UNICODE_GLYPHS } from './glyphs.ts';
import { pickForm, securityLabel } from './security-label.ts';

function conv(target: string, security?: DmSecurity): Conversation {
  const state = ensureConversation(initialChatState('alice'), target);
  return { ...state.convs[state.order[0]!]!, ...(security ? { security } : {}) };
}

const label = (c: Conversation, e2e: 'off' | 'setup' | 'ready' | 'failed' = 'ready', glyphs = UNICODE_GLYPHS) => securityLabel(c, { e2e, glyphs })?.forms[0];

describe('the header says whether a conversation is end-to-end encrypted', () => {
  it('plain rooms and ALL are TLS only; a DM says encrypted, verified, changed or unencrypted', () => {
    expect(label(conv('#general'))).toBe('not end-to-end encrypted');
    expect(label(conv('ALL'))).toBe('not end-to-end encrypted');
    expect(label(conv('bob', { encryption: 'encrypted', verification: 'unverified' }))).toBe('🔒 encrypted, not verified');
    expect(label(conv('bob', { encryption: 'encrypted', verification: 'verified' }))).toBe('🔒 encrypted, verified');
    expect(label(conv('bob', { encryption: 'encrypted', verification: 'changed' }))).toBe('⚠ identity changed: /verify bob');
    expect(label(conv('carol', { encryption: 'unencrypted', verification: 'unverified' }))).toBe('unencrypted: carol has no e2e keys');
    expect(label(conv('bob'))).toBeUndefined();
    expect(label(conv('bob'), 'off')).toBe('unencrypted: end-to-end encryption is off (--no-e2e)');
    expect(label(conv('bob'), 'failed')).toBe('unencrypted: end-to-end encryption is not set up');
  });

  it('an encrypted room says so; without e2e in this session it warns that it cannot be used here', () => {
    const secret = { ...conv('#secret'), encrypted: true };
    expect(label(secret)).toBe('🔒 end-to-end encrypted');
    expect(label(secret, 'setup')).toBe('🔒 end-to-end encrypted');
    expect(label(secret, 'ready', ASCII_GLYPHS)).toBe('end-to-end encrypted');
    expect(label(secret, 'off')).toBe('encrypted room: end-to-end encryption is off (--no-e2e)');
    expect(label(secret, 'failed')).toBe('encrypted room: end-to-end encryption is not set up');
    expect(securityLabel(secret, { e2e: 'off', glyphs: UNICODE_GLYPHS })?.tone).toBe('warn');
    // A plain room, whatever this session has.
    expect(label({ ...conv('#general'), encrypted: false }, 'off')).toBe('not end-to-end encrypted');
    const encrypted = securityLabel(secret, { e2e: 'ready', glyphs: UNICODE_GLYPHS })!;
    expect(encrypted.tone).toBe('ok');
    expect(pickForm(encrypted, { width: 44, titleWidth: 16 })).toBe('🔒 end-to-end encrypted');
    expect(pickForm(encrypted, { width: 32, titleWidth: 16 })).toBe('🔒 encrypted');
  });

  it('words alone where the terminal cannot show the lock', () => {
    expect(label(conv('bob', { encryption: 'encrypted', verification: 'verified' }), 'ready', ASCII_GLYPHS)).toBe('encrypted, verified');
    expect(label(conv('bob', { encryption: 'encrypted', verification: 'changed' }), 'ready', ASCII_GLYPHS)).toBe('!! identity changed: /verify bob');
    expect(glyphsFor({ LANG: 'en_US.UTF-8', TERM: 'xterm-256color' })).toBe(UNICODE_GLYPHS);
    expect(glyphsFor({ LANG: 'C', TERM: 'xterm' })).toBe(ASCII_GLYPHS);
    expect(glyphsFor({ LC_ALL: 'C.UTF-8', TERM: 'linux' })).toBe(ASCII_GLYPHS);
    expect(glyphsFor({ LANG: 'C.UTF-8', PARLEY_ASCII: '1' })).toBe(ASCII_GLYPHS);
  });

  it('shortens to fit beside the title; a warning never disappears', () => {
    const verified = securityLabel(conv('bob', { encryption: 'encrypted', verification: 'verified' }), { e2e: 'ready', glyphs: UNICODE_GLYPHS })!;
    expect(pickForm(verified, { width: 80, titleWidth: 22 })).toBe('🔒 encrypted, verified');
    expect(pickForm(verified, { width: 32, titleWidth: 22 })).toBe('🔒 verified');
    expect(pickForm(verified, { width: 20, titleWidth: 22 })).toBeUndefined();
    const changed = securityLabel(conv('bob', { encryption: 'encrypted', verification: 'changed' }), { e2e: 'ready', glyphs: UNICODE_GLYPHS })!;
    expect(pickForm(changed, { width: 20, titleWidth: 22 })).toBe('⚠');
  });
});
