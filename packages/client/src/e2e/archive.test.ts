import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '@parley/protocol';
import { Archive, decodePayload, encodePayload } from './archive.ts';
import { memoryE2eStorage } from './storage.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('encrypted payloads', () => {
  it('round-trip text and kind, and refuse anything else', () => {
    expect(decodePayload(encodePayload({ text: 'hi' }))).toEqual({ text: 'hi' });
    expect(decodePayload(encodePayload({ text: 'waves', kind: 'action' }))).toEqual({ text: 'waves', kind: 'action' });
    for (const bad of ['not json', '"text"', '{}', '{"text":1}', '{"text":"x","kind":"mls"}', 'null']) {
      expect(() => decodePayload(bytes(bad)), bad).toThrow(expect.objectContaining({ code: 'E2E_BAD_PAYLOAD' }));
    }
    expect(() => decodePayload(Uint8Array.of(0xff, 0xfe))).toThrow(expect.objectContaining({ code: 'E2E_BAD_PAYLOAD' }));
  });
});

describe('Archive', () => {
  it('rewrites history: archived plaintext for mls messages, undecryptable ones marked, commits left out, plaintext kept', async () => {
    const archive = new Archive(memoryE2eStorage());
    const base = { conv: 'dm:a1:a2', from: 'alice', to: 'bob', ts: 1 };
    const messages: ChatMessage[] = [
      { ...base, seq: 1, text: 'plain hello' },
      { ...base, seq: 2, text: 'Q29tbWl0', kind: 'mls_commit' },
      { ...base, seq: 3, text: 'Y2lwaGVy', kind: 'mls' },
      { ...base, seq: 4, text: 'Y2lwaGVy', kind: 'mls' },
    ];
    await archive.put('dm:a1:a2', 3, { text: 'secret', kind: 'action' });
    const page = await archive.rewrite({ conv: 'dm:a1:a2', messages });
    expect(page.messages).toEqual([
      { ...base, seq: 1, text: 'plain hello' },
      { ...base, seq: 3, text: 'secret', kind: 'action', encrypted: true },
      { ...base, seq: 4, text: '', encrypted: true, undecryptable: true },
    ]);
  });
});
