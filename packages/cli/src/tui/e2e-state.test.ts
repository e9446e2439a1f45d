import { describe, expect, it } from 'vitest';
import { chatReducer, type ChatAction } from './chat-reducer.ts';
import { conversationKey, initialChatState, type ChatState } from './conversations.ts';

const run = (actions: ChatAction[], state: ChatState = initialChatState('alice', 'setup')) => actions.reduce(chatReducer, state);
const dm = (overrides: object = {}) => ({ conv: 'dm:a1:a2', seq: 1, from: 'bob', to: 'alice', text: 'hi', ts: 0, ...overrides });

describe('end-to-end state in the terminal UI', () => {
  it('marks DM lines that were not end-to-end encrypted, and only those', () => {
    const state = run([
      { type: 'open', target: '#general' },
      { type: 'message', message: dm({ encrypted: true }) },
      { type: 'message', message: dm({ seq: 2, text: 'in the clear' }) },
      { type: 'message', message: { ...dm({ seq: 3 }), to: '#general', conv: '#general' } },
      { type: 'sending', target: 'carol', text: 'knowingly', id: 1, ts: 0, plaintext: true },
    ]);
    expect(state.convs['@bob']!.lines.map((l) => [l.text, l.plaintext])).toEqual([
      ['hi', undefined],
      ['in the clear', true],
    ]);
    expect(state.convs['#general']!.lines[0]!.plaintext).toBeUndefined();
    expect(state.convs['@carol']!.lines[0]).toMatchObject({ text: 'knowingly', plaintext: true, pending: 1 });
  });

  it('never shows ciphertext: a group change is left out, an unreadable message says so', () => {
    const state = run([
      { type: 'message', message: dm({ kind: 'mls_commit', text: 'AAEC' }) },
      { type: 'message', message: dm({ seq: 2, kind: 'mls', text: 'AAED' }) },
      { type: 'history', key: '@bob', complete: true, messages: [dm({ seq: 0, encrypted: true, undecryptable: true, text: '' })] },
    ]);
    expect(state.convs['@bob']!.lines.map((l) => l.text)).toEqual([
      '(end-to-end encrypted before this device joined the conversation: it cannot be read here)',
      '(an end-to-end encrypted message: this session runs with --no-e2e and cannot read it)',
    ]);
  });

  it('warns once, loudly, when an identity changes, and stops warning once it is accepted', () => {
    const changed = run([{ type: 'open', target: '#general' }, { type: 'e2e-security', name: 'bob', security: { encryption: 'encrypted', verification: 'unverified' } }, { type: 'e2e-identity-changed', name: 'bob' }]);
    expect(changed.e2e.changed).toEqual(['bob']);
    const bob = changed.convs[conversationKey('bob')]!;
    expect(bob.security).toEqual({ encryption: 'encrypted', verification: 'changed' });
    expect(bob.lines.filter((l) => l.alarm)).toHaveLength(1);
    expect(bob.lines[0]!.text).toMatch(/^WARNING: bob's identity key has CHANGED/);
    expect(bob.unread).toBe(1);
    // Asked again (the DM opened), still changed: no second warning.
    const again = run([{ type: 'e2e-security', name: 'bob', security: { encryption: 'encrypted', verification: 'changed' } }], changed);
    expect(again.convs['@bob']!.lines.filter((l) => l.alarm)).toHaveLength(1);
    const accepted = run([{ type: 'e2e-security', name: 'Bob', security: { encryption: 'encrypted', verification: 'unverified' } }], again);
    expect(accepted.e2e.changed).toEqual([]);
    expect(accepted.convs['@bob']!.security?.verification).toBe('unverified');
  });

  it('a change found by asking (the UI was not running when it happened) warns the same way', () => {
    const state = run([{ type: 'e2e-security', name: 'carol', security: { encryption: 'encrypted', verification: 'changed' } }]);
    expect(state.e2e.changed).toEqual(['carol']);
    expect(state.convs['@carol']!.lines[0]!.alarm).toBe(true);
  });

  it('puts e2e lines in their DM and replaces a running count instead of adding lines', () => {
    const state = run([
      { type: 'open', target: '#general' },
      { type: 'e2e-line', name: 'dave', text: 'a message from dave could not be decrypted: E2E_REPLAY' },
      { type: 'e2e-line', name: 'dave', text: '1 more messages', tag: 'undecryptable dm:x' },
      { type: 'e2e-line', name: 'dave', text: '2 more messages', tag: 'undecryptable dm:x' },
      { type: 'e2e-line', name: undefined, text: 'KeyPackages could not be uploaded' },
    ]);
    expect(state.convs['@dave']!.lines.map((l) => l.text)).toEqual(['a message from dave could not be decrypted: E2E_REPLAY', '2 more messages']);
    expect(state.convs['#general']!.lines.map((l) => l.text)).toEqual(['KeyPackages could not be uploaded']);
    expect(state.active).toBe('#general');
  });

  it("keeps each room's encryption from its summary and from every later word of it, for rooms I am in", () => {
    const state = run([
      { type: 'joined', room: '#general', topic: '' },
      { type: 'joined', room: '#secret', topic: '', encrypted: true },
      { type: 'open', target: 'bob' },
      { type: 'e2e-room', room: '#General', encrypted: true },
      // Not open (the SDK heard of it first, or a DM's name): nothing to show it on.
      { type: 'e2e-room', room: '#elsewhere', encrypted: true },
      { type: 'e2e-room', room: 'bob', encrypted: true },
    ]);
    expect(state.convs['#general']!.encrypted).toBe(true);
    expect(state.convs['#secret']!.encrypted).toBe(true);
    expect(state.convs['#elsewhere']).toBeUndefined();
    expect(state.convs['@bob']!.encrypted).toBeUndefined();
    // Joined again (after a /part): the new summary counts.
    const rejoined = run([{ type: 'joined', room: '#secret', topic: '' }], state);
    expect(rejoined.convs['#secret']!.encrypted).toBe(false);
  });

  it("puts a room's e2e lines in the room while I am in it, else where I am", () => {
    const state = run([
      { type: 'joined', room: '#secret', topic: '', encrypted: true },
      { type: 'joined', room: '#general', topic: '' },
      { type: 'e2e-line', name: '#secret', text: 'a message in #secret could not be decrypted: E2E_REPLAY' },
      { type: 'e2e-line', name: '#gone', text: 'end-to-end: #gone: E2E_NOT_MEMBER: …' },
    ]);
    expect(state.convs['#secret']!.lines.map((l) => l.text)).toEqual(['a message in #secret could not be decrypted: E2E_REPLAY']);
    expect(state.convs['#secret']!.kind).toBe('room');
    expect(state.convs['#gone']).toBeUndefined();
    expect(state.convs['#general']!.lines.map((l) => l.text)).toEqual(['end-to-end: #gone: E2E_NOT_MEMBER: …']);
  });
});
