import { REACTION_MAX_BYTES, type ChatMessage, type ReplyData } from '@parley/protocol';
import { foldChange, isChange } from '../message-fold.ts';
import type { ClientMessage } from '../types.ts';
import { readJson, STORAGE_KEYS, writeJson, type E2eStorage } from './storage.ts';

/** Kinds of encrypted payload that are about another message (`ref`): applied to it, not shown. */
export type ChangeKind = 'edit' | 'react' | 'unreact';
const CHANGE_KINDS: ReadonlySet<string> = new Set<ChangeKind>(['edit', 'react', 'unreact']);

/**
 * What an encrypted message carries inside: the text, what kind of message it is, and `ref`, the
 * seq of the message it answers (a reply) or is about (an edit: the new text; a reaction or its
 * removal: the emoji). ESEND carries the same `ref` in cleartext, so the server can check the
 * message exists; the copy inside binds it to the content: a server that changed the cleartext
 * one (to move an edit onto another message) is caught when the two differ.
 */
export interface Payload {
  text: string;
  kind?: 'action' | ChangeKind;
  ref?: number;
}

export class PayloadError extends Error {
  readonly code = 'E2E_BAD_PAYLOAD';
}

const isChangeKind = (kind: unknown): kind is ChangeKind => typeof kind === 'string' && CHANGE_KINDS.has(kind);

export function encodePayload(payload: Payload): Uint8Array {
  const { text, kind, ref } = payload;
  return new TextEncoder().encode(JSON.stringify({ text, ...(kind ? { kind } : {}), ...(ref !== undefined ? { ref } : {}) }));
}

/** A decrypted payload: a JSON object with a string `text`, an optional known `kind` and `ref` (required for edits and reactions). */
export function decodePayload(bytes: Uint8Array): Payload {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new PayloadError('the decrypted message is not JSON');
  }
  const { text, kind, ref } = (value ?? {}) as { text?: unknown; kind?: unknown; ref?: unknown };
  if (typeof value !== 'object' || typeof text !== 'string') throw new PayloadError('the decrypted message has no text');
  if (kind !== undefined && kind !== 'action' && !isChangeKind(kind)) throw new PayloadError(`the decrypted message has an unknown kind ${String(kind).slice(0, 40)}`);
  if (ref !== undefined && !(Number.isSafeInteger(ref) && (ref as number) > 0)) throw new PayloadError('the decrypted message refers to no valid seq');
  if (isChangeKind(kind)) {
    if (ref === undefined) throw new PayloadError(`the decrypted ${kind} names no message`);
    const emoji = kind !== 'edit';
    if (emoji && (text === '' || new TextEncoder().encode(text).length > REACTION_MAX_BYTES)) throw new PayloadError('the decrypted reaction is not one emoji');
  }
  return { text, ...(kind === undefined ? {} : { kind: kind as Payload['kind'] }), ...(ref === undefined ? {} : { ref: ref as number }) };
}

/**
 * An `mls` message as the application sees it: the payload in place of the ciphertext, with
 * `kind` and `ref` for an edit or a reaction, and `reply` for anything else that has a ref, as a
 * plaintext message would have them.
 */
export function decryptedMessage(message: ChatMessage, payload: Payload & { redacted?: true }): ChatMessage & { encrypted: true } {
  const { kind: _kind, ref: _ref, reply: _reply, ...rest } = message;
  const about = payload.ref === undefined ? {} : isChangeKind(payload.kind) ? { ref: payload.ref } : { reply: payload.ref };
  return { ...rest, text: payload.text, ...(payload.kind ? { kind: payload.kind } : {}), ...about, ...(payload.redacted ? { redacted: true } : {}), encrypted: true };
}

/**
 * What this device keeps of an encrypted message: its payload, and who sent it when (as the
 * server named them; `sender`: the user id its MLS signature named). The fold and the search need
 * those for messages not on the page at hand. Entries archived before edits existed have no
 * `from`, `to` or `ts`.
 */
export interface Archived extends Payload {
  from?: string;
  to?: string;
  ts?: number;
  sender?: string;
  /** A redaction blanked it on this device: `text` is empty. */
  redacted?: true;
}

/**
 * The plaintext of every message this device decrypted or sent, by conversation and seq. MLS
 * deletes each message key once used (forward secrecy), so a message cannot be decrypted twice:
 * history is read from here. It is as secret as the rest of the storage.
 *
 * Beside each message, the seqs of the archived edits and reactions about it (`about`), so a
 * history page shows each message in its current version, as the server's fold does for
 * plaintext, wherever in the conversation its changes are. Writes happen inside the
 * conversation's queue task (the `about` lists are read, changed and written back).
 */
export class Archive {
  constructor(private readonly storage: E2eStorage) {}

  async put(conv: string, seq: number, entry: Archived): Promise<void> {
    await writeJson(this.storage, STORAGE_KEYS.archive(conv, seq), entry);
    if (!isChangeKind(entry.kind) || entry.ref === undefined) return;
    const list = await this.aboutSeqs(conv, entry.ref);
    if (!list.includes(seq)) await writeJson(this.storage, STORAGE_KEYS.about(conv, entry.ref), [...list, seq].sort((a, b) => a - b));
  }

  get(conv: string, seq: number): Promise<Archived | undefined> {
    return readJson<Archived>(this.storage, STORAGE_KEYS.archive(conv, seq));
  }

  private async aboutSeqs(conv: string, ref: number): Promise<number[]> {
    return (await readJson<number[]>(this.storage, STORAGE_KEYS.about(conv, ref))) ?? [];
  }

  /** The archived edits and reactions about message `ref`, in seq order, as the message events they were. */
  async changes(conv: string, ref: number): Promise<ChatMessage[]> {
    const changes: ChatMessage[] = [];
    for (const seq of await this.aboutSeqs(conv, ref)) {
      const entry = await this.get(conv, seq);
      if (!entry || entry.redacted || !isChangeKind(entry.kind)) continue;
      changes.push({ conv, seq, from: entry.from ?? '', to: entry.to ?? '', ts: entry.ts ?? 0, text: entry.text, kind: entry.kind, ref });
    }
    return changes;
  }

  /** `message` with the archived changes about it applied. */
  async current<TMessage extends ChatMessage>(message: TMessage): Promise<TMessage> {
    let folded = message;
    for (const change of await this.changes(message.conv, message.seq)) folded = foldChange(folded, change);
    return folded;
  }

  /**
   * A message was redacted (the plaintext `redact`: it carries no content, and moderators who
   * cannot decrypt may send it): its plaintext and that of every edit and reaction about it
   * leave this device too. What remains says only that there was a message.
   */
  async redact(conv: string, ref: number): Promise<void> {
    for (const seq of [ref, ...(await this.aboutSeqs(conv, ref))]) {
      const entry = await this.get(conv, seq);
      if (entry && !entry.redacted) await writeJson(this.storage, STORAGE_KEYS.archive(conv, seq), { ...entry, text: '', redacted: true } satisfies Archived);
    }
  }

  /**
   * A history page with each `mls` message replaced by its archived plaintext (or marked
   * `undecryptable`; one the server blanked is `redacted`), group changes (`mls_commit`) left
   * out, and every message folded with the archived changes about it and the redactions on the
   * page. Changes stay on the page, as the server leaves them, for cursors. Without `fold` (a
   * conversation this device has no group for) the archive is not asked about each message.
   */
  async rewrite(page: ReplyData['history'], { fold = true }: { fold?: boolean } = {}): Promise<{ conv: string; messages: ClientMessage[] }> {
    const rows = await Promise.all(page.messages.filter((m) => m.kind !== 'mls_commit').map((m) => this.row(m)));
    if (!fold) return { conv: page.conv, messages: rows };
    const redacted = new Set(rows.filter((m) => m.kind === 'redact').map((m) => m.ref));
    const messages = await Promise.all(
      rows.map(async (m) => {
        if (isChange(m)) return m;
        const folded = await this.current(m);
        return redacted.has(m.seq) ? foldChange(folded, { ...m, kind: 'redact', ref: m.seq, text: '' }) : folded;
      }),
    );
    return { conv: page.conv, messages };
  }

  private async row(m: ChatMessage): Promise<ClientMessage> {
    if (m.kind !== 'mls') return m;
    const entry = await this.get(m.conv, m.seq);
    if (entry) return decryptedMessage(m, entry);
    const { kind: _kind, ...rest } = m;
    // The server blanks the ciphertext of a redacted message.
    return m.text === '' ? { ...rest, text: '', encrypted: true, redacted: true } : { ...rest, text: '', encrypted: true, undecryptable: true };
  }
}
