import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '@parley/protocol';
import { Archive, decodePayload, decryptedMessage, encodePayload, type Payload } from './archive.ts';
import { memoryE2eStorage } from './storage.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('encrypted payloads', () => {
  it('round-trip text and kind, and refuse anything else', () => {
    expect(decodePayload(encodePayload({ text: 'hi' }))).toEqual({ text: 'hi' });
    expect(decodePayload(encodePayload({ text: 'waves', kind: 'action' }))).toEqual({ text: 'waves', kind: 'action' });
    for (const bad of ['not json', '"text"', '{}', '{"text":1}', '{"text":"x","kind":"mls"}', '{"text":"x","kind":"redact","ref":1}', 'null']) {
      expect(() => decodePayload(bytes(bad)), bad).toThrow(expect.objectContaining({ code: 'E2E_BAD_PAYLOAD' }));
    }
    expect(() => decodePayload(Uint8Array.of(0xff, 0xfe))).toThrow(expect.objectContaining({ code: 'E2E_BAD_PAYLOAD' }));
  });

  it('carry replies, edits and reactions with the seq they refer to', () => {
    const payloads: Payload[] = [
      { text: 'yes', ref: 3 },
      { text: 'shrugs', kind: 'action', ref: 3 },
      { text: 'hello (fixed)', kind: 'edit', ref: 3 },
      { text: '👍🏽', kind: 'react', ref: 3 },
      { text: '🏳️‍🌈', kind: 'unreact', ref: 3 },
    ];
    for (const payload of payloads) expect(decodePayload(encodePayload(payload))).toEqual(payload);
    expect(new TextDecoder().decode(encodePayload({ text: 'x', kind: 'edit', ref: 3 }))).toBe('{"text":"x","kind":"edit","ref":3}');
    // A change names its message; a ref is a seq; a reaction is one short emoji at most.
    for (const bad of ['{"text":"x","kind":"edit"}', '{"text":"x","ref":0}', '{"text":"x","ref":1.5}', '{"text":"x","ref":"3"}', '{"text":"","kind":"react","ref":1}', `{"text":"${'😀'.repeat(9)}","kind":"react","ref":1}`]) {
      expect(() => decodePayload(bytes(bad)), bad).toThrow(expect.objectContaining({ code: 'E2E_BAD_PAYLOAD' }));
    }
  });

  it('come out as the app sees plaintext: a change has kind and ref, anything else with a ref is a reply', () => {
    const cipher: ChatMessage = { conv: 'dm:a1:a2', seq: 9, from: 'alice', to: 'bob', ts: 1, text: 'Y2lwaGVy', kind: 'mls', ref: 3 };
    expect(decryptedMessage(cipher, { text: 'yes', ref: 3 })).toEqual({ conv: 'dm:a1:a2', seq: 9, from: 'alice', to: 'bob', ts: 1, text: 'yes', reply: 3, encrypted: true });
    expect(decryptedMessage(cipher, { text: 'hi!', kind: 'edit', ref: 3 })).toEqual({ conv: 'dm:a1:a2', seq: 9, from: 'alice', to: 'bob', ts: 1, text: 'hi!', kind: 'edit', ref: 3, encrypted: true });
    const { ref: _ref, ...plain } = cipher;
    expect(decryptedMessage(plain, { text: 'hello' })).toEqual({ conv: 'dm:a1:a2', seq: 9, from: 'alice', to: 'bob', ts: 1, text: 'hello', encrypted: true });
  });
});

describe('Archive', () => {
  const conv = 'dm:a1:a2';
  const base = { conv, from: 'alice', to: 'bob', ts: 1 };
  const cipher = (seq: number, ref?: number): ChatMessage => ({ ...base, seq, text: 'Y2lwaGVy', kind: 'mls', ...(ref === undefined ? {} : { ref }) });

  it('rewrites history: archived plaintext for mls messages, undecryptable ones marked, commits left out, plaintext kept', async () => {
    const archive = new Archive(memoryE2eStorage());
    const messages: ChatMessage[] = [
      { ...base, seq: 1, text: 'plain hello' },
      { ...base, seq: 2, text: 'Q29tbWl0', kind: 'mls_commit' },
      { ...base, seq: 3, text: 'Y2lwaGVy', kind: 'mls' },
      { ...base, seq: 4, text: 'Y2lwaGVy', kind: 'mls' },
    ];
    await archive.put(conv, 3, { text: 'secret', kind: 'action' });
    const page = await archive.rewrite({ conv, messages });
    expect(page.messages).toEqual([
      { ...base, seq: 1, text: 'plain hello' },
      { ...base, seq: 3, text: 'secret', kind: 'action', encrypted: true },
      { ...base, seq: 4, text: '', encrypted: true, undecryptable: true },
    ]);
  });

  it('folds archived edits and reactions into the messages they refer to, wherever they are in the conversation', async () => {
    const archive = new Archive(memoryE2eStorage());
    await archive.put(conv, 1, { text: 'helo', from: 'alice', ts: 1, sender: 'a1' });
    await archive.put(conv, 2, { text: 'yes', ref: 1, from: 'bob', ts: 2, sender: 'a2' });
    await archive.put(conv, 3, { text: 'hello', kind: 'edit', ref: 1, from: 'alice', ts: 3, sender: 'a1' });
    await archive.put(conv, 4, { text: '👍', kind: 'react', ref: 1, from: 'bob', ts: 4, sender: 'a2' });
    await archive.put(conv, 5, { text: '🎉', kind: 'react', ref: 2, from: 'alice', ts: 5, sender: 'a1' });
    await archive.put(conv, 6, { text: '🎉', kind: 'unreact', ref: 2, from: 'alice', ts: 6, sender: 'a1' });
    // A page of the first two messages only: their changes are on a later page.
    const first = await archive.rewrite({ conv, messages: [cipher(1), { ...cipher(2, 1), from: 'bob' }] });
    expect(first.messages).toEqual([
      { ...base, seq: 1, text: 'hello', edited: 3, reactions: [{ emoji: '👍', count: 1, users: ['bob'] }], encrypted: true },
      { ...base, from: 'bob', seq: 2, text: 'yes', reply: 1, encrypted: true },
    ]);
    // The changes themselves stay on their page, as the server leaves them, for cursors.
    const later = await archive.rewrite({ conv, messages: [cipher(3, 1), { ...cipher(4, 1), from: 'bob' }] });
    expect(later.messages.map((m) => [m.seq, m.kind, m.ref, m.text])).toEqual([
      [3, 'edit', 1, 'hello'],
      [4, 'react', 1, '👍'],
    ]);
    expect(await archive.changes(conv, 2)).toHaveLength(2);
  });

  it('forgets the plaintext of a redacted message and of its changes; the server-blanked ciphertext reads as redacted', async () => {
    const archive = new Archive(memoryE2eStorage());
    await archive.put(conv, 1, { text: 'oops', from: 'alice', ts: 1, sender: 'a1' });
    await archive.put(conv, 2, { text: 'oops!', kind: 'edit', ref: 1, from: 'alice', ts: 2, sender: 'a1' });
    await archive.redact(conv, 1);
    expect(await archive.get(conv, 1)).toEqual({ text: '', from: 'alice', ts: 1, sender: 'a1', redacted: true });
    expect((await archive.get(conv, 2))?.text).toBe('');
    const redaction: ChatMessage = { ...base, seq: 3, text: '', kind: 'redact', ref: 1 };
    const page = await archive.rewrite({ conv, messages: [{ ...cipher(1), text: '' }, cipher(2, 1), redaction] });
    expect(page.messages[0]).toEqual({ ...base, seq: 1, text: '', redacted: true, encrypted: true });
    // A device that never read it: the blank ciphertext, and the redaction on the page.
    const other = new Archive(memoryE2eStorage());
    expect((await other.rewrite({ conv, messages: [{ ...cipher(1), text: '' }] })).messages[0]).toEqual({ ...base, seq: 1, text: '', encrypted: true, redacted: true });
    expect((await other.rewrite({ conv, messages: [{ ...base, seq: 1, text: 'plain' }, redaction] })).messages[0]).toEqual({ ...base, seq: 1, text: '', redacted: true });
  });
});
