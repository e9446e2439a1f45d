import type { ChatMessage, ReplyData } from '@parley/protocol';
import type { ClientMessage } from '../types.ts';
import { readJson, STORAGE_KEYS, writeJson, type E2eStorage } from './storage.ts';

/** What an encrypted message carries inside: the text and what kind of message it is. */
export interface Payload {
  text: string;
  kind?: 'action';
}

export class PayloadError extends Error {
  readonly code = 'E2E_BAD_PAYLOAD';
}

export function encodePayload(payload: Payload): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(payload.kind ? { text: payload.text, kind: payload.kind } : { text: payload.text }));
}

/** A decrypted payload: a JSON object with a string `text` and at most `kind: "action"`. */
export function decodePayload(bytes: Uint8Array): Payload {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new PayloadError('the decrypted message is not JSON');
  }
  const { text, kind } = (value ?? {}) as { text?: unknown; kind?: unknown };
  if (typeof value !== 'object' || typeof text !== 'string') throw new PayloadError('the decrypted message has no text');
  if (kind !== undefined && kind !== 'action') throw new PayloadError(`the decrypted message has an unknown kind ${String(kind).slice(0, 40)}`);
  return kind === 'action' ? { text, kind } : { text };
}

/** An `mls` message as the application sees it: the payload in place of the ciphertext. */
export function decryptedMessage(message: ChatMessage, payload: Payload): ChatMessage & { encrypted: true } {
  const { kind: _kind, ...rest } = message;
  return { ...rest, text: payload.text, ...(payload.kind ? { kind: payload.kind } : {}), encrypted: true };
}

/**
 * The plaintext of every message this device decrypted or sent, by conversation and seq. MLS
 * deletes each message key once used (forward secrecy), so a message cannot be decrypted twice:
 * history is read from here. It is as secret as the rest of the storage.
 */
export class Archive {
  constructor(private readonly storage: E2eStorage) {}

  put(conv: string, seq: number, payload: Payload): Promise<void> {
    return writeJson(this.storage, STORAGE_KEYS.archive(conv, seq), payload);
  }

  get(conv: string, seq: number): Promise<Payload | undefined> {
    return readJson<Payload>(this.storage, STORAGE_KEYS.archive(conv, seq));
  }

  /**
   * A history page with each `mls` message replaced by its archived plaintext (or marked
   * `undecryptable`), and group changes (`mls_commit`) left out: they are not messages.
   */
  async rewrite(page: ReplyData['history']): Promise<{ conv: string; messages: ClientMessage[] }> {
    const messages = await Promise.all(
      page.messages
        .filter((m) => m.kind !== 'mls_commit')
        .map(async (m): Promise<ClientMessage> => {
          if (m.kind !== 'mls') return m;
          const payload = await this.get(m.conv, m.seq);
          if (payload) return decryptedMessage(m, payload);
          const { kind: _kind, ...rest } = m;
          return { ...rest, text: '', encrypted: true, undecryptable: true };
        }),
    );
    return { conv: page.conv, messages };
  }
}
